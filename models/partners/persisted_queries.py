"""Automatic persisted queries (APQ): documents clients registered under their SHA-256, kept for a week.

Kept in the database, not in the queue's Redis: the store is bounded on its own (documents per client a
day, live documents in all) and cannot fill the memory that holds the jobs. The gateway checks a
document (size, tokens, parse and validation) before it comes here; an expired row is never served,
and the worker's hourly sweep deletes them.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from tortoise import fields
from tortoise.models import Model

from models.db.clock import utcnow

TTL = timedelta(days=7)
QUOTA_WINDOW = timedelta(days=1)


class PersistedQuery(Model):
    id = fields.BigIntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, unique=True)
    document = fields.TextField()
    # Who registered it, for the quota: "key:<id>" for an API key, else "ip:<address>" (an IPv6 /64).
    client = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "persisted_query"
        indexes = (("client", "created_at"),)


class Stored(enum.Enum):
    STORED = "stored"
    KNOWN = "known"  # stored already (by anyone)
    CLIENT_QUOTA = "client_quota"  # the client registered its documents for the day
    FULL = "full"  # the store holds its most live documents


async def stored_document(sha256: str, now: datetime | None = None) -> tuple[str, datetime] | None:
    """The live document stored under the hash and when it expires, or None."""
    now = now or utcnow()
    row = (
        await PersistedQuery.filter(sha256=sha256, expires_at__gt=now).only("document", "expires_at").first()
    )
    return None if row is None else (row.document, row.expires_at)


async def store(
    sha256: str,
    document: str,
    client: str,
    *,
    per_client_per_day: int,
    max_entries: int,
    now: datetime | None = None,
) -> Stored:
    """Store a checked document under its hash for TTL, within the client's daily quota and the
    store's size. Two clients racing to store one hash store it once."""
    now = now or utcnow()
    existing = await PersistedQuery.filter(sha256=sha256).only("id", "expires_at").first()
    if existing is not None and existing.expires_at > now:
        return Stored.KNOWN
    if (
        await PersistedQuery.filter(client=client, created_at__gt=now - QUOTA_WINDOW).count()
        >= per_client_per_day
    ):
        return Stored.CLIENT_QUOTA
    if await PersistedQuery.filter(expires_at__gt=now).count() >= max_entries:
        return Stored.FULL
    if existing is not None:
        await PersistedQuery.filter(id=existing.id, expires_at__lte=now).delete()
    row = PersistedQuery(
        sha256=sha256, document=document, client=client, created_at=now, expires_at=now + TTL
    )
    await PersistedQuery.bulk_create([row], ignore_conflicts=True)
    return Stored.STORED


async def sweep_expired(now: datetime | None = None) -> int:
    """Delete the documents past their time; returns how many."""
    return await PersistedQuery.filter(expires_at__lte=now or utcnow()).delete()
