"""Inputs of the account mutations and their validation."""

from __future__ import annotations

import re
from typing import Any

import strawberry

from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from schema.errors import ErrorCode, UserError, user_error

MAX_ADDRESS_PART = 100
COUNTRY_CODE = re.compile(r"[A-Z]{2}")


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = strawberry.UNSET
    city: str
    region: str
    postal_code: str
    country: str


@strawberry.input
class UpdateAccountInput:
    name: str | None = strawberry.UNSET
    contact_email: str | None = strawberry.UNSET
    service_address: AddressInput | None = strawberry.UNSET
    time_zone: str | None = strawberry.UNSET


def address_problems(address: AddressInput) -> tuple[dict[str, Any], list[UserError]]:
    """The address as stored in Account.service_address, and what is wrong with it."""
    errors: list[UserError] = []
    stored: dict[str, Any] = {}
    required = {
        "line1": address.line1,
        "city": address.city,
        "region": address.region,
        "postalCode": address.postal_code,
    }
    for key, value in required.items():
        stored[key] = value.strip()
        if not 0 < len(stored[key]) <= MAX_ADDRESS_PART:
            errors.append(_bad_part(key, f"Use 1 to {MAX_ADDRESS_PART} characters."))
        elif has_control_characters(stored[key]):
            errors.append(_bad_part(key, CONTROL_CHARACTERS_MESSAGE))
    line2 = address.line2.strip() if isinstance(address.line2, str) else ""
    if len(line2) > MAX_ADDRESS_PART:
        errors.append(_bad_part("line2", f"Use at most {MAX_ADDRESS_PART} characters."))
    elif has_control_characters(line2):
        errors.append(_bad_part("line2", CONTROL_CHARACTERS_MESSAGE))
    stored["line2"] = line2 or None
    stored["country"] = address.country.strip()
    if not COUNTRY_CODE.fullmatch(stored["country"]):
        errors.append(_bad_part("country", "Use the two capital letters of ISO 3166-1 (e.g. US)."))
    return stored, errors


def _bad_part(key: str, message: str) -> UserError:
    return user_error(ErrorCode.INVALID_INPUT, message, f"serviceAddress.{key}")
