"""Why an API-key operation (create, revoke) is refused."""

from __future__ import annotations

from enum import StrEnum

from models.errors import Refused


class Refusal(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_PERMISSION = "INVALID_PERMISSION"
    NOT_FOUND = "NOT_FOUND"


class ApiKeyRefused(Refused):
    reason: Refusal

    def __init__(self, reason: Refusal, message: str, field: str | None = None) -> None:
        super().__init__(reason, message, field)


def key_not_found() -> ApiKeyRefused:
    return ApiKeyRefused(Refusal.NOT_FOUND, "No such API key in your account.", "id")
