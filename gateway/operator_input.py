"""Checking the billing values an operator types into the CLI; errors are one line naming the option."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.contact import has_control_characters

MAX_CENTS = 10_000_000  # $100,000: far above any household's bill, far below the column's limit
MAX_PLAN = 100
MAX_DESCRIPTION = 200


_NO_CONTROLS = "{option} must not hold line breaks, tabs or other control characters"


class InputError(ValueError):
    """A bad option value; the message is one line saying what to fix."""


@dataclass(frozen=True)
class NewService:
    plan: str
    price: int


def checked_date(option: str, raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(f"{option} {raw!r} is not a date such as 2026-01-31") from None


def checked_cents(option: str, raw: str) -> int:
    try:
        cents = int(raw.strip())
    except ValueError:
        raise InputError(f"{option} {raw!r} is not a whole number of cents") from None
    if not 0 < cents <= MAX_CENTS:
        raise InputError(f"{option} must be 1 to {MAX_CENTS} cents, not {cents}")
    return cents


def checked_amount(raw: str | None, description: str | None) -> int | None:
    """The statement amount, or None for "bill the account's services"."""
    if raw is None:
        if description is not None:
            raise InputError("--description goes with --amount")
        return None
    if description is not None and not 1 <= len(description.strip()) <= MAX_DESCRIPTION:
        raise InputError(f"--description must be 1 to {MAX_DESCRIPTION} characters")
    if description is not None and has_control_characters(description.strip()):
        raise InputError(_NO_CONTROLS.format(option="--description"))
    return checked_cents("--amount", raw)


def checked_service(plan: str | None, price: str | None) -> NewService | None:
    """The INTERNET service to create with the account: --plan and --price together, or neither."""
    if plan is None and price is None:
        return None
    if plan is None or price is None:
        raise InputError("--plan and --price go together")
    name = plan.strip()
    if not 1 <= len(name) <= MAX_PLAN:
        raise InputError(f"--plan must be 1 to {MAX_PLAN} characters")
    if has_control_characters(name):
        raise InputError(_NO_CONTROLS.format(option="--plan"))
    return NewService(plan=name, price=checked_cents("--price", price))
