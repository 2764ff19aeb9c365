"""What an account owes: the unpaid part of its open statements, and the payment due next."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from models.billing.models import AutopayEnrollment, Statement, StatementStatus


def unpaid(statements: Iterable[Statement]) -> list[Statement]:
    """The open statements among `statements` with something left to pay, in their given order."""
    return [s for s in statements if s.status == StatementStatus.OPEN and s.amount_due > s.amount_paid]


def owed(statements: Iterable[Statement]) -> int:
    """The unpaid part of the open statements among loaded `statements`, in cents; reads nothing."""
    return sum(s.amount_due - s.amount_paid for s in unpaid(statements))


async def balance_of(account_id: int) -> int:
    """What the account owes now, in cents."""
    return owed(await Statement.filter(account_id=account_id, status=StatementStatus.OPEN))


class UpcomingPayment(NamedTuple):
    amount: int
    due_date: date
    autopay: bool


def upcoming_from(
    statements: list[Statement], enrollment: AutopayEnrollment | None
) -> UpcomingPayment | None:
    """The unpaid part of the open statement due first, and whether autopay will charge it."""
    open_statements = unpaid(statements)
    if not open_statements:
        return None
    first = min(open_statements, key=lambda s: (s.due_date, s.id))
    amount = first.amount_due - first.amount_paid
    autopay = (
        enrollment is not None
        and enrollment.enabled
        and (enrollment.max_amount is None or amount <= enrollment.max_amount)
    )
    return UpcomingPayment(amount=amount, due_date=first.due_date, autopay=autopay)


async def upcoming_payment(account_id: int) -> UpcomingPayment | None:
    statements = await Statement.filter(account_id=account_id, status=StatementStatus.OPEN)
    enrollment = await AutopayEnrollment.get_or_none(account_id=account_id)
    return upcoming_from(statements, enrollment)
