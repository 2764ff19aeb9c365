"""Familiar devices: a device id that completed a sign-in (or activation) for a member."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.db.clock import utcnow
from models.db.prepared import PreparedQuery

if TYPE_CHECKING:
    from models.members.models import Member

MAX_DEVICE_ID = 128


class KnownDevice(Model):
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name="known_devices", on_delete=fields.CASCADE, db_index=True
    )
    member_id: int
    device_hash = fields.CharField(max_length=64)
    first_seen_at = fields.DatetimeField()

    class Meta:
        table = "known_device"
        unique_together = (("member", "device_hash"),)


def invalid_device_id(device_id: str | None) -> bool:
    """A given device id that is empty or longer than MAX_DEVICE_ID (None: none was given)."""
    return device_id is not None and not (0 < len(device_id) <= MAX_DEVICE_ID)


def _device_hash(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


_KNOWN_DEVICE = PreparedQuery(
    KnownDevice,
    lambda member_id, device_hash: KnownDevice.filter(member_id=member_id, device_hash=device_hash).limit(1),
)


async def is_familiar(member_id: int, device_id: str | None) -> bool:
    if not device_id:
        return False
    return bool(await _KNOWN_DEVICE.fetch(member_id, _device_hash(device_id)))


async def remember(member_id: int, device_id: str | None, using_db: BaseDBAsyncClient | None = None) -> None:
    """Make the device familiar; one INSERT that does nothing when it already is."""
    if not device_id:
        return
    device = KnownDevice(member_id=member_id, device_hash=_device_hash(device_id), first_seen_at=utcnow())
    await KnownDevice.bulk_create([device], ignore_conflicts=True, using_db=using_db)
