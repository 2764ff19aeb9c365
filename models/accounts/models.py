"""The household's account: number, name, address, time zone."""

from __future__ import annotations

import calendar
import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.members.models import Member


class Account(Model):
    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(max_length=16, unique=True)
    name = fields.CharField(max_length=200)
    service_address: dict[str, Any] | None = fields.JSONField(null=True)
    time_zone = fields.CharField(max_length=64, default="America/New_York")
    contact_email = fields.CharField(max_length=254, null=True)
    # The day of the month its statement is issued (1-28, so every month has it).
    billing_day = fields.SmallIntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    members: fields.ReverseRelation[Member]

    class Meta:
        table = "account"


def billing_period_start(account: Account, day: date) -> date:
    """The first day of the account's billing period that holds `day`: the last billing day on or before
    it (clamped to a short month's end). Statements, the daily run and data usage count periods so."""
    start = _on_billing_day(day.year, day.month, account.billing_day)
    if start > day:
        earlier = day.replace(day=1) - timedelta(days=1)
        start = _on_billing_day(earlier.year, earlier.month, account.billing_day)
    return start


def _on_billing_day(year: int, month: int, billing_day: int) -> date:
    return date(year, month, min(billing_day, calendar.monthrange(year, month)[1]))


def new_account_number() -> str:
    """Ten digits, the first never zero, as printed on statements."""
    return str(secrets.randbelow(9_000_000_000) + 1_000_000_000)
