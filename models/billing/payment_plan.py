"""What a one-time payment charges and which statement it pays, before the charge (models/billing/charge)."""

from __future__ import annotations

from typing import NamedTuple

from models.billing.balance import owed, unpaid
from models.billing.models import Payment, Statement, StatementStatus


class PaymentPlan(NamedTuple):
    amount: int
    statement_id: int | None


class NothingToPay(Exception):
    """The account owes nothing."""


class AmountOverBalance(Exception):
    """The amount asked for is more than the account owes."""


async def plan_payment(account_id: int, idempotency_key: str, amount: int | None) -> PaymentPlan:
    """The amount to charge (None: the balance) and the statement it pays first, the one due first.
    A retry of a key's payment repeats its first request (an omitted amount meant the balance at that
    time), so it finds the same payment even after the balance went to zero. Raises NothingToPay or
    AmountOverBalance."""
    for _ in range(2):
        existing = await Payment.get_or_none(account_id=account_id, idempotency_key=idempotency_key)
        if existing is not None:
            return PaymentPlan(existing.amount if amount is None else amount, existing.statement_id)
        statements = unpaid(
            await Statement.filter(account_id=account_id, status=StatementStatus.OPEN).order_by(
                "due_date", "period_start", "id"
            )
        )
        balance = owed(statements)
        if balance > 0 and (amount is None or amount <= balance):
            return PaymentPlan(balance if amount is None else amount, statements[0].id)
        # A concurrent request with this key may have paid it just now: look for its payment once more.
    if balance <= 0:
        raise NothingToPay
    raise AmountOverBalance
