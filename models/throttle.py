"""The per-IP throttle against credential stuffing: more than IP_FAILURE_LIMIT failed sign-ins from one
IP address within IP_WINDOW refuses that address's sign-in, reset and step-up requests for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.clock import utcnow

IP_FAILURE_LIMIT = 20
IP_WINDOW = timedelta(minutes=10)


class FailedSignIn(Model):
    id = fields.BigIntField(primary_key=True)
    ip_address = fields.CharField(max_length=45)
    at = fields.DatetimeField()

    class Meta:
        table = "failed_sign_in"
        indexes = (("ip_address", "at"),)


async def retry_after(ip_address: str | None, now: datetime | None = None) -> int | None:
    """Seconds until the address may try again, or None when it is not throttled."""
    if not ip_address:
        return None
    now = now or utcnow()
    recent = FailedSignIn.filter(ip_address=ip_address, at__gt=now - IP_WINDOW)
    times = await recent.order_by("-at").limit(IP_FAILURE_LIMIT).values_list("at", flat=True)
    if len(times) < IP_FAILURE_LIMIT:
        return None
    oldest_counted: datetime = times[-1]  # type: ignore[assignment]
    return max(1, int((oldest_counted + IP_WINDOW - now).total_seconds()) + 1)


async def record_failure(
    ip_address: str | None, now: datetime | None = None, using_db: BaseDBAsyncClient | None = None
) -> None:
    if not ip_address:
        return
    now = now or utcnow()
    await FailedSignIn.create(ip_address=ip_address, at=now, using_db=using_db)
    expired = FailedSignIn.filter(ip_address=ip_address, at__lte=now - IP_WINDOW)
    await (expired.using_db(using_db) if using_db else expired).delete()
