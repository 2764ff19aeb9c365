"""The rows of the demo household's year, written as the system would have left them: a payment method, a
statement with its lines (as the daily run issues it), a settled payment (as charge() leaves it), and the
activity log written at the end in time order."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from models.accounts.models import Account
from models.activity import ActivityEvent, ActivityKind
from models.billing.autopay import attempt_key
from models.billing.charge import describe_method
from models.billing.methods import save_method
from models.billing.models import (
    LineItem,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
    format_money,
)
from models.billing.processor import SANDBOX_TOKENS
from models.billing.statements import DUE_AFTER_DAYS, month_before
from models.members.models import Member

MONTHS = 12
HOME_IP = "203.0.113.24"
PHONE_IP = "198.51.100.7"


@dataclass
class Log:
    """The year's activity, written at the end in time order (the log lists newest first by id)."""

    account_id: int
    events: list[ActivityEvent]

    def add(
        self,
        at: datetime,
        kind: ActivityKind,
        summary: str,
        actor: Member | None = None,
        ip: str | None = None,
    ) -> None:
        self.events.append(
            ActivityEvent(
                account_id=self.account_id,
                actor_id=actor.id if actor else None,
                kind=kind,
                summary=summary,
                ip_address=ip,
                at=at,
            )
        )


def due_dates(today: date) -> list[date]:
    """Twelve monthly due dates on one day of the month (at most the 28th), the last 7 to 10 days ahead."""
    day = min((today + timedelta(days=10)).day, 28)
    last = today.replace(day=day)
    if last <= today:
        last = date(today.year + (today.month == 12), today.month % 12 + 1, day)
    dues = [last]
    while len(dues) < MONTHS:
        dues.append(month_before(dues[-1]))
    return dues[::-1]


async def add_method(
    account: Account, token: str, default: bool, added: datetime, connection: BaseDBAsyncClient
) -> PaymentMethod:
    details = SANDBOX_TOKENS[token][0]
    return await save_method(
        account.id, token, details, default=default, created_at=added, using_db=connection
    )


async def add_statement(
    account: Account,
    issue_key: str,
    due: date,
    lines: list[tuple[str, int]],
    log: Log,
    connection: BaseDBAsyncClient,
) -> Statement:
    """A statement as the daily run issues it: DUE_AFTER_DAYS before its due date (in the morning, UTC)."""
    total = sum(amount for _, amount in lines)
    issued_at = datetime.combine(due - timedelta(days=DUE_AFTER_DAYS), time(6), UTC)
    statement = await Statement.create(
        account_id=account.id,
        issue_key=issue_key,
        period_start=month_before(due),
        period_end=due - timedelta(days=1),
        issued_at=issued_at,
        due_date=due,
        amount_due=total,
        using_db=connection,
    )
    await LineItem.bulk_create(
        [LineItem(statement_id=statement.id, description=text, amount=amount) for text, amount in lines],
        using_db=connection,
    )
    log.add(
        issued_at,
        ActivityKind.STATEMENT_ISSUED,
        f"Statement of {format_money(total)} issued, due {due.isoformat()}",
    )
    return statement


async def add_payment(
    account: Account,
    statement: Statement,
    method: PaymentMethod,
    source: PaymentSource,
    paid_at: datetime,
    log: Log,
    payer: Member | None,
    connection: BaseDBAsyncClient,
) -> None:
    """The settled payment of the whole statement, as charge() leaves it (key, fingerprint, allocation)."""
    key = (
        attempt_key(statement.id, statement.due_date)
        if source == PaymentSource.AUTOPAY
        else f"demo-{statement.id}"
    )
    await Payment.create(
        account_id=account.id,
        amount=statement.amount_due,
        status=PaymentStatus.SUCCEEDED,
        source=source,
        idempotency_key=key,
        request_fingerprint=f"{statement.amount_due}:{method.id}:{source}:{statement.id}",
        processor_reference=f"sb_{secrets.token_hex(10)}",
        payment_method_id=method.id,
        statement_id=statement.id,
        paid_by_id=payer.id if payer else None,
        created_at=paid_at,
        settled_at=paid_at,
        using_db=connection,
    )
    statement.amount_paid, statement.status = statement.amount_due, StatementStatus.PAID
    await statement.save(update_fields=["amount_paid", "status"], using_db=connection)
    summary = f"Payment of {format_money(statement.amount_due)} by {describe_method(method)} succeeded"
    if source == PaymentSource.AUTOPAY:
        summary = f"Autopay: {summary[0].lower()}{summary[1:]}"
    log.add(paid_at, ActivityKind.PAYMENT_SUCCEEDED, summary, payer, HOME_IP if payer else None)
