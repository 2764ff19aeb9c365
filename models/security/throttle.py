"""The per-IP throttle against credential stuffing: more than IP_FAILURE_LIMIT failed sign-ins from one
IP address within IP_WINDOW refuses that address's sign-in, reset and step-up requests for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.db.clock import utcnow
from models.db.prepared import PreparedQuery

IP_FAILURE_LIMIT = 20
IP_WINDOW = timedelta(minutes=10)


class FailedSignIn(Model):
    id = fields.BigIntField(primary_key=True)
    ip_address = fields.CharField(max_length=45)
    at = fields.DatetimeField()

    class Meta:
        table = "failed_sign_in"
        indexes = (("ip_address", "at"),)


_LATEST_FAILURES = PreparedQuery(
    FailedSignIn,
    lambda ip_address, limit: FailedSignIn.filter(ip_address=ip_address).order_by("-at").limit(limit),
)


async def retry_after(ip_address: str | None, now: datetime | None = None) -> int | None:
    """Seconds until the address may try again, or None when it is not throttled."""
    if not ip_address:
        return None
    now = now or utcnow()
    # The address's latest failures, then those within the window: the same answer as filtering on
    # `at` in SQL, with SQL that every sign-in reuses (models/db/prepared.py).
    latest = await _LATEST_FAILURES.fetch(ip_address, IP_FAILURE_LIMIT)
    times = [failure.at for failure in latest if failure.at > now - IP_WINDOW]
    if len(times) < IP_FAILURE_LIMIT:
        return None
    return max(1, int((times[-1] + IP_WINDOW - now).total_seconds()) + 1)


async def record_failure(
    ip_address: str | None, now: datetime | None = None, using_db: BaseDBAsyncClient | None = None
) -> None:
    if not ip_address:
        return
    now = now or utcnow()
    await FailedSignIn.create(ip_address=ip_address, at=now, using_db=using_db)
    expired = FailedSignIn.filter(ip_address=ip_address, at__lte=now - IP_WINDOW)
    await (expired.using_db(using_db) if using_db else expired).delete()
