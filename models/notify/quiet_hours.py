"""Quiet hours: SMS that is not about security waits for 09:00-21:00 in the account's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SMS_DAY_STARTS = time(9, 0)
SMS_DAY_ENDS = time(21, 0)
SECURITY = "security"


def sms_not_before(topic: str, time_zone: str, now: datetime) -> datetime | None:
    """When an SMS about `topic` may go out: None for now (security never waits), else the next 09:00."""
    if topic == SECURITY:
        return None
    local = now.astimezone(ZoneInfo(time_zone))
    if SMS_DAY_STARTS <= local.time() < SMS_DAY_ENDS:
        return None
    day = local.date() if local.time() < SMS_DAY_STARTS else local.date() + timedelta(days=1)
    return datetime.combine(day, SMS_DAY_STARTS, tzinfo=ZoneInfo(time_zone))
