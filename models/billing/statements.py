"""Issuing statements: a period's regular one from the account's services, or a one-off charge."""

from __future__ import annotations

import calendar
import hashlib
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import activity
from models.access import Permission
from models.accounts.models import Account, billing_period_start
from models.activity import ActivityKind
from models.billing import messages as billing_messages
from models.billing.models import LineItem, Statement, format_money
from models.db.clock import utcnow
from models.notify.send import notify_account
from models.services.models import Service, ServiceKind

DUE_AFTER_DAYS = 21
DEFAULT_DESCRIPTION = "Account charges"
MAX_KEY = 80
# How a line item names a service's kind ("Tv" is what str.title() would make of TV).
KIND_NAMES: dict[str, str] = {
    ServiceKind.INTERNET: "Internet",
    ServiceKind.TV: "TV",
    ServiceKind.PHONE: "Phone",
}


class NothingToBill(ValueError):
    """No positive amount to put on a statement."""


class StatementKeyReused(ValueError):
    """The operator's key already issued a statement for a different charge."""

    def __init__(self, key: str, statement: Statement, description: str) -> None:
        self.what = (
            f"already issued a statement of {statement.amount_due} cents ({description!r},"
            f" due {statement.due_date.isoformat()}); give another key for another charge"
        )
        super().__init__(f"the key {key!r} {self.what}")
        self.statement = statement


def add_month(day: date) -> date:
    """The same day next month, or that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_before(day: date) -> date:
    """The same day a month earlier, or that month's last day."""
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def account_today(account: Account) -> date:
    """Today in the account's time zone."""
    return utcnow().astimezone(ZoneInfo(account.time_zone)).date()


def regular_key(period_start: date) -> str:
    """The issue key of a period's regular statement: one a period, whoever issues it."""
    return f"period:{period_start.isoformat()}"


def one_off_key(period_start: date, amount: int, description: str, key: str | None) -> str:
    """The issue key of a one-off charge: the operator's key, else the charge itself (the same amount and
    text in the same period is issued once, so a retried command issues nothing more)."""
    if key is not None:
        return f"key:{key}"
    digest = hashlib.sha256(f"{period_start.isoformat()}|{amount}|{description}".encode()).hexdigest()
    return f"charge:{digest[:40]}"


async def issue_statement(
    account: Account,
    *,
    due: date | None = None,
    amount: int | None = None,
    description: str | None = None,
    key: str | None = None,
    period_start: date | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> Statement:
    """Issue a statement and return it; it is issued once, so a retry returns the first.

    Without `amount`: the period's regular statement, line items from the account's services, at most
    one a period. With `amount`: a one-off charge beside it, once per `key` (or, without a key, once per
    period, amount and description). The period starts on `period_start`; else it is the account's
    billing period (starting on its billing day, as the daily run's) that holds the day before `due`, or
    today without a due date: so a back-filled month and the daily run's never overlap. Raises
    NothingToBill for a non-positive amount or an account without services, StatementKeyReused for a
    key first used for another charge."""
    if key is not None and amount is None:
        raise ValueError("a key goes with an amount: the regular statement is one a period")
    start = period_start or billing_period_start(
        account, due - timedelta(days=1) if due else account_today(account)
    )
    end = add_month(start) - timedelta(days=1)
    if amount is None:
        issue_key = regular_key(start)
        existing = await _existing(account.id, issue_key, using_db)
        if existing is not None:
            return existing
        items = await _service_items(account, using_db)
    else:
        items = [_charge_item(amount, description)]
        issue_key = one_off_key(start, amount, items[0][0], key)
        existing = await _existing(account.id, issue_key, using_db)
        if existing is not None:
            return await _same_charge(existing, key, items[0], due)
    total = sum(item_amount for _, item_amount in items)
    issued_at = utcnow()
    due_date = due or issued_at.date() + timedelta(days=DUE_AFTER_DAYS)
    try:
        async with in_transaction() if using_db is None else _Reuse(using_db) as connection:
            statement = await Statement.create(
                account_id=account.id,
                issue_key=issue_key,
                period_start=start,
                period_end=end,
                issued_at=issued_at,
                due_date=due_date,
                amount_due=total,
                using_db=connection,
            )
            await LineItem.bulk_create(
                [LineItem(statement_id=statement.id, description=d, amount=a) for d, a in items],
                using_db=connection,
            )
            await activity.record(
                account.id,
                ActivityKind.STATEMENT_ISSUED,
                f"Statement of {format_money(total)} issued, due {due_date.isoformat()}",
                using_db=connection,
            )
            await notify_account(
                account.id,
                "billing",
                Permission.VIEW_BILLING,
                billing_messages.statement_ready(total, due_date),
                billing_messages.STATEMENT_READY,
                using_db=connection,
            )
    except IntegrityError:
        # A concurrent run issued the statement of this key first.
        found = await _existing(account.id, issue_key, None)
        if found is None:
            raise
        return found if amount is None else await _same_charge(found, key, items[0], due)
    return statement


async def _same_charge(
    statement: Statement, key: str | None, item: tuple[str, int], due: date | None
) -> Statement:
    """The statement an operator's key issued before, unless the key now comes with another charge."""
    if key is None:
        return statement
    description, amount = item
    stored = [
        str(text)
        for text in await LineItem.filter(statement_id=statement.id).values_list("description", flat=True)
    ]
    if (statement.amount_due, stored) != (amount, [description]) or due not in (None, statement.due_date):
        raise StatementKeyReused(key, statement, ", ".join(stored))
    return statement


async def _existing(account_id: int, issue_key: str, using_db: BaseDBAsyncClient | None) -> Statement | None:
    query = Statement.filter(account_id=account_id, issue_key=issue_key)
    return await (query.using_db(using_db) if using_db else query).first()


def _charge_item(amount: int, description: str | None) -> tuple[str, int]:
    if amount <= 0:
        raise NothingToBill(f"The amount must be positive, not {amount}.")
    return ((description or DEFAULT_DESCRIPTION).strip()[:200] or DEFAULT_DESCRIPTION, amount)


async def _service_items(account: Account, using_db: BaseDBAsyncClient | None) -> list[tuple[str, int]]:
    query = Service.filter(account_id=account.id).order_by("id")
    services = await (query.using_db(using_db) if using_db else query)
    items = service_line_items(services)
    if not items or sum(a for _, a in items) <= 0:
        raise NothingToBill(f"Account {account.number} has no services to bill.")
    return items


def service_line_items(services: list[Service]) -> list[tuple[str, int]]:
    """A statement's lines for the services: (description, amount), e.g. ("Internet - Gig", 7999)."""
    return [(f"{KIND_NAMES.get(s.kind, s.kind.title())} - {s.plan}"[:200], s.monthly_price) for s in services]


class _Reuse:
    """Use the caller's connection (its transaction) as `in_transaction()` would use a new one."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.connection = connection

    async def __aenter__(self) -> BaseDBAsyncClient:
        return self.connection

    async def __aexit__(self, *exc: object) -> None:
        return None
