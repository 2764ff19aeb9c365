"""Why a services operation (schedule or cancel an appointment, report an outage) is refused."""

from __future__ import annotations

from enum import StrEnum

from models.errors import Refused


class Refusal(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_TIME = "INVALID_TIME"
    TOO_MANY_APPOINTMENTS = "TOO_MANY_APPOINTMENTS"
    WINDOW_TAKEN = "WINDOW_TAKEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_STATUS = "INVALID_STATUS"


class AppointmentRefused(Refused):
    reason: Refusal

    def __init__(self, reason: Refusal, message: str, field: str | None = None) -> None:
        super().__init__(reason, message, field)


class OutageRefused(Refused):
    reason: Refusal

    def __init__(self, reason: Refusal, message: str, field: str | None = None) -> None:
        super().__init__(reason, message, field)


def appointment_not_found() -> AppointmentRefused:
    return AppointmentRefused(Refusal.NOT_FOUND, "No such appointment on this account.", "id")
