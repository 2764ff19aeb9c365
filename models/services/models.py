"""The household's services (internet, TV, phone): what the monthly statement bills."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts.models import Account


class ServiceKind(StrEnum):
    """The kinds of service sold; `Service.kind` holds one (or, from older rows, any other word)."""

    INTERNET = "INTERNET"
    TV = "TV"
    PHONE = "PHONE"


# What people read for each kind, in messages and the activity log.
KIND_NAMES: dict[str, str] = {
    ServiceKind.INTERNET: "Internet",
    ServiceKind.TV: "TV",
    ServiceKind.PHONE: "Phone",
}


class Service(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="services", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    kind = fields.CharField(max_length=20)
    plan = fields.CharField(max_length=100)
    monthly_price = fields.IntField()  # cents
    # Metered services have a monthly data allowance; null means not metered.
    allowance_bytes = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service"

    @property
    def kind_name(self) -> str:
        """The kind in words: "Internet", "TV", or an older row's "HOME_SECURITY" as "Home security"."""
        return KIND_NAMES.get(self.kind) or self.kind.replace("_", " ").capitalize()
