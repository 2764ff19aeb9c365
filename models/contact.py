"""Validation and normal forms of e-mail addresses and phone numbers."""

from __future__ import annotations

import re

import phonenumbers

MAX_EMAIL = 254
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
