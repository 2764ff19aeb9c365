"""The one shape of a domain operation's refusal: why (its domain's enum in models/<domain>/errors.py,
shown to clients as the UserError code of the same name), the words for a person, the input field it
concerns, and, for a refusal to wait (throttling), how many seconds."""

from __future__ import annotations

from enum import StrEnum


class Refused(Exception):
    def __init__(
        self, reason: StrEnum, message: str, field: str | None = None, *, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field
        self.retry_after = retry_after
