"""The one shape of a domain operation's refusal: why (its domain's enum, shown to clients as the
UserError code of the same name), the words for a person, and the input field it concerns."""

from __future__ import annotations

from enum import StrEnum


class Refused(Exception):
    def __init__(self, reason: StrEnum, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field
