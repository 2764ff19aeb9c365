"""What a statement's PDF shows, read in one place: the account, the period, the line items, the total,
the due date, the payments applied to it and what remains. Dates are the account's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.accounts.models import Account
from models.billing.charge import describe_method
from models.billing.models import LineItem, Payment, PaymentStatus, Statement, StatementStatus


@dataclass(frozen=True)
class AppliedPayment:
    paid_on: date
    method: str
    amount: int


@dataclass(frozen=True)
class StatementDocument:
    """Everything on a statement's PDF; amounts are integer cents."""

    account_name: str
    account_number: str
    period_start: date
    period_end: date
    issued_on: date
    due_date: date
    status: StatementStatus
    line_items: tuple[tuple[str, int], ...]
    total: int
    payments: tuple[AppliedPayment, ...]
    amount_paid: int

    @property
    def balance(self) -> int:
        return max(self.total - self.amount_paid, 0)


async def statement_document(statement: Statement, today: date) -> StatementDocument:
    """The document of `statement`; `today` (UTC) decides whether an open statement shows as overdue."""
    account = await Account.get(id=statement.account_id)
    zone = ZoneInfo(account.time_zone)
    items = (
        await LineItem.filter(statement_id=statement.id).order_by("id").values_list("description", "amount")
    )
    payments = (
        await Payment.filter(statement_id=statement.id, status=PaymentStatus.SUCCEEDED)
        .select_related("payment_method")
        .order_by("created_at", "id")
    )
    status = StatementStatus(statement.status)
    if status is StatementStatus.OPEN and statement.due_date < today:
        status = StatementStatus.OVERDUE
    return StatementDocument(
        account_name=account.name,
        account_number=account.number,
        period_start=statement.period_start,
        period_end=statement.period_end,
        issued_on=_local_day(statement.issued_at, zone),
        due_date=statement.due_date,
        status=status,
        line_items=tuple((str(description), int(amount)) for description, amount in items),
        total=statement.amount_due,
        payments=tuple(
            AppliedPayment(
                paid_on=_local_day(payment.settled_at or payment.created_at, zone),
                method=describe_method(payment.payment_method) if payment.payment_method else "Payment",
                amount=payment.amount,
            )
            for payment in payments
        ),
        amount_paid=statement.amount_paid,
    )


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
