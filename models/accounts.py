"""The household's account: number, name, address, time zone."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.members import Member


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


def new_account_number() -> str:
    """Ten digits, the first never zero, as printed on statements."""
    return str(secrets.randbelow(9_000_000_000) + 1_000_000_000)
