"""The daily billing notices that go out once: the overdue notice of a statement past its due date and
unpaid, and the reminder of a saved card that expires within CARD_REMINDER_DAYS.

"Once" is a row (billing_notice per statement, payment_method_notice per method) inserted with ON
CONFLICT DO NOTHING in the transaction that writes the messages to the outbox: a crash before the commit
leaves neither, and of two workers (or two runs) only the one whose INSERT returned the row sends. The
INSERT re-reads the statement or method, so one paid or removed meanwhile gets no notice."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.access import Permission
from models.billing import messages
from models.billing.charge import describe_method
from models.billing.models import (
    BillingNotice,
    PaymentMethod,
    PaymentMethodKind,
    PaymentMethodNotice,
    Statement,
    StatementStatus,
)
from models.db.clock import utcnow
from models.notify.messages import Text
from models.notify.outbox import MessageKind
from models.notify.send import notify_account

# A run that was missed (a worker down for a day) still sends; statements overdue for longer when this
# began are not told of all at once.
OVERDUE_LOOKBACK_DAYS = 7
CARD_REMINDER_DAYS = 30
BATCH = 500

_CLAIM_STATEMENT = """
INSERT INTO billing_notice (statement_id, kind, created_at)
SELECT id, {kind}, {at} FROM statement WHERE id = {id} AND status = 'OPEN'
ON CONFLICT (statement_id, kind) DO NOTHING RETURNING statement_id"""
_CLAIM_METHOD = """
INSERT INTO payment_method_notice (payment_method_id, kind, created_at)
SELECT id, {kind}, {at} FROM payment_method WHERE id = {id} AND removed_at IS NULL
ON CONFLICT (payment_method_id, kind) DO NOTHING RETURNING payment_method_id"""


async def send_overdue_notices(today: date, public_url: str) -> int:
    """Tell the members who view billing of each statement that turned overdue (OPEN, due before
    `today`); returns how many statements this run told of."""
    sent = 0
    after = 0
    kind = MessageKind.STATEMENT_OVERDUE
    due_since = today - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    while (
        statements := await Statement.filter(
            id__gt=after, status=StatementStatus.OPEN, due_date__lt=today, due_date__gte=due_since
        )
        .order_by("id")
        .limit(BATCH)
    ):
        after = statements[-1].id
        told = set(
            await BillingNotice.filter(statement_id__in=[s.id for s in statements], kind=kind).values_list(
                "statement_id", flat=True
            )
        )
        for statement in statements:
            if statement.id not in told:
                text = messages.statement_overdue(
                    public_url, statement.amount_due - statement.amount_paid, statement.due_date
                )
                sent += await _send_once(_CLAIM_STATEMENT, statement.id, kind, statement.account_id, text)
    return sent


async def send_card_expiry_reminders(today: date, public_url: str) -> int:
    """Remind the members who view billing of each saved card that expires (at the end of its expiry
    month) within CARD_REMINDER_DAYS; returns how many cards this run reminded of."""
    sent = 0
    after = 0
    this_month = (today.year, today.month)
    next_month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    expiring = Q(exp_year=this_month[0], exp_month=this_month[1]) | Q(
        exp_year=next_month[0], exp_month=next_month[1]
    )
    while (
        methods := await PaymentMethod.filter(
            expiring, id__gt=after, kind=PaymentMethodKind.CARD, removed_at=None
        )
        .order_by("id")
        .limit(BATCH)
    ):
        after = methods[-1].id
        told = set(
            await PaymentMethodNotice.filter(payment_method_id__in=[m.id for m in methods]).values_list(
                "payment_method_id", "kind"
            )
        )
        for method in methods:
            year, month = int(method.exp_year or 0), int(method.exp_month or 0)
            expires_on = date(year, month, calendar.monthrange(year, month)[1])
            kind = f"{MessageKind.CARD_EXPIRING}:{year:04d}-{month:02d}"
            if expires_on - timedelta(days=CARD_REMINDER_DAYS) <= today and (method.id, kind) not in told:
                text = messages.card_expiring(public_url, describe_method(method), f"{month:02d}/{year}")
                sent += await _send_once(_CLAIM_METHOD, method.id, kind, method.account_id, text)
    return sent


async def _send_once(claim: str, owner_id: int, notice: str, account_id: int, text: Text) -> int:
    """Claim the notice and queue its messages in one commit; 0 when it was claimed already."""
    async with in_transaction() as connection:
        if not await _claimed(connection, claim, owner_id, notice):
            return 0
        kind = MessageKind(notice.partition(":")[0])  # CARD_EXPIRING:<expiry> is once per expiry date
        await notify_account(account_id, "billing", Permission.VIEW_BILLING, text, kind, using_db=connection)
    return 1


async def _claimed(connection: BaseDBAsyncClient, claim: str, owner_id: int, kind: str) -> bool:
    if connections.get("default").capabilities.dialect == "postgres":
        sql = claim.format(kind="$1", at="$2", id="$3")
    else:
        sql = claim.format(kind="?", at="?", id="?")
    return bool(await connection.execute_query_dict(sql, [kind, utcnow(), owner_id]))
