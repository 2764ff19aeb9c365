"""The account's activity and security log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts.models import Account
    from models.members.models import Member


class ActivityEvent(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="activity", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    actor: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    actor_id: int | None
    kind = fields.CharField(max_length=40)
    summary = fields.CharField(max_length=500)
    ip_address = fields.CharField(max_length=45, null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activity_event"


async def record(
    account_id: int,
    kind: str,
    summary: str,
    *,
    actor_id: int | None = None,
    ip_address: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> ActivityEvent:
    """Log one event of the account; pass `using_db` to commit it with the change it describes."""
    return await ActivityEvent.create(
        account_id=account_id,
        actor_id=actor_id,
        kind=kind,
        summary=summary[:500],
        ip_address=ip_address,
        using_db=using_db,
    )


async def record_by(
    member: Member,
    kind: str,
    summary: str,
    *,
    ip_address: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> ActivityEvent:
    """Log an event the member did themself, on their own account."""
    return await record(
        member.account_id,
        kind,
        summary,
        actor_id=member.id,
        ip_address=ip_address,
        using_db=using_db,
    )
