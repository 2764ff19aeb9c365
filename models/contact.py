"""Contact details, names and time zones: their normal forms and limits, one rule each for CLI and API."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

import phonenumbers

MAX_EMAIL = 254
MAX_DISPLAY_NAME = 100
MAX_ACCOUNT_NAME = 200
_EMAIL = re.compile(
    r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def normal_email(address: str) -> str | None:
    """The address trimmed, with its domain lower-cased; None when it is not an e-mail address."""
    address = address.strip()
    if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
        return None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normal_phone(number: str, default_region: str = "US") -> str | None:
    """The number in E.164 (+15551234567); None when it is not a valid phone number."""
    if len(number) > 32:
        return None
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """An IANA time zone name such as America/Chicago (the one rule for the CLI and the API)."""
    return name in _time_zones()
