"""Why a membership operation (invite, change access, remove, unlock, hand over, change one's own
profile) is refused."""

from __future__ import annotations

from enum import StrEnum

from models.errors import Refused


class Refusal(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_STATUS = "INVALID_STATUS"
    INVALID_ROLE = "INVALID_ROLE"
    INVALID_PERMISSION = "INVALID_PERMISSION"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_CHANNEL = "INVALID_CHANNEL"


class MembershipRefused(Refused):
    reason: Refusal

    def __init__(self, reason: Refusal, message: str, field: str | None = None) -> None:
        super().__init__(reason, message, field)


def email_taken() -> MembershipRefused:
    """One e-mail address a person on an account (models.members.models.email_in_use)."""
    return MembershipRefused(
        Refusal.EMAIL_TAKEN, "Someone on this account already uses this e-mail address.", "email"
    )
