"""Issuing a month's statement from the account's services (or an operator's amount)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import activity, billing_messages
from models.access import Permission
from models.accounts import Account
from models.billing import LineItem, Statement, format_money
from models.clock import utcnow
from models.notify import notify_account
from models.services import Service

DUE_AFTER_DAYS = 21
DEFAULT_DESCRIPTION = "Account charges"


class NothingToBill(ValueError):
    """No positive amount to put on a statement."""


def add_month(day: date) -> date:
    """The same day next month, or that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def account_today(account: Account) -> date:
    """Today in the account's time zone."""
    return utcnow().astimezone(ZoneInfo(account.time_zone)).date()


async def issue_statement(
    account: Account,
    *,
    due: date | None = None,
    amount: int | None = None,
    description: str | None = None,
    period_start: date | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> Statement:
    """Issue the statement of the period starting `period_start` (default: today); line items from the
    account's services unless `amount` is given. Idempotent: the period's existing statement is returned.
    Raises NothingToBill for a non-positive amount or an account without services."""
    start = period_start or account_today(account)
    existing = await _existing(account.id, start, using_db)
    if existing is not None:
        return existing
    items = await _line_items(account, amount, description, using_db)
    total = sum(item_amount for _, item_amount in items)
    issued_at = utcnow()
    due_date = due or issued_at.date() + timedelta(days=DUE_AFTER_DAYS)
    try:
        async with in_transaction() if using_db is None else _Reuse(using_db) as connection:
            statement = await Statement.create(
                account_id=account.id,
                period_start=start,
                period_end=add_month(start) - timedelta(days=1),
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
                "STATEMENT_ISSUED",
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
        # Another run issued the same period's statement first.
        found = await _existing(account.id, start, None)
        if found is None:
            raise
        return found
    return statement


async def _existing(account_id: int, start: date, using_db: BaseDBAsyncClient | None) -> Statement | None:
    query = Statement.filter(account_id=account_id, period_start=start)
    return await (query.using_db(using_db) if using_db else query).first()


async def _line_items(
    account: Account, amount: int | None, description: str | None, using_db: BaseDBAsyncClient | None
) -> list[tuple[str, int]]:
    if amount is not None:
        if amount <= 0:
            raise NothingToBill(f"The amount must be positive, not {amount}.")
        return [((description or DEFAULT_DESCRIPTION).strip()[:200] or DEFAULT_DESCRIPTION, amount)]
    query = Service.filter(account_id=account.id).order_by("id")
    services = await (query.using_db(using_db) if using_db else query)
    items = [(f"{s.kind.title()} - {s.plan}"[:200], s.monthly_price) for s in services]
    if not items or sum(a for _, a in items) <= 0:
        raise NothingToBill(f"Account {account.number} has no services to bill.")
    return items


class _Reuse:
    """Use the caller's connection (its transaction) as `in_transaction()` would use a new one."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.connection = connection

    async def __aenter__(self) -> BaseDBAsyncClient:
        return self.connection

    async def __aexit__(self, *exc: object) -> None:
        return None
