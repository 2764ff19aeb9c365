"""Checking the billing values an operator types into the CLI; errors are one line naming the option."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from models.billing.statements import MAX_KEY
from models.members.contact import has_control_characters

MAX_CENTS = 10_000_000  # $100,000: far above any household's bill, far below the column's limit
MAX_PLAN = 100
MAX_DESCRIPTION = 200
MAX_ALLOWANCE_BYTES = 10**15  # 1 PB: as much as record-usage takes at once


_NO_CONTROLS = "{option} must not hold line breaks, tabs or other control characters"


class InputError(ValueError):
    """A bad option value; the message is one line saying what to fix."""


@dataclass(frozen=True)
class NewService:
    plan: str
    price: int
    allowance_bytes: int | None = None


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


def checked_due(raw: str | None, today: date) -> date | None:
    """A statement's due date, within ten years of today (back-filled history, or a bill ahead)."""
    due = checked_date("--due", raw)
    if due is not None and abs(due - today) > timedelta(days=3653):
        raise InputError(f"--due {raw!r} must be within ten years of today")
    return due


def checked_key(raw: str | None, amount: int | None) -> str | None:
    """The operator's key of a one-off statement (a retry with it returns the first statement)."""
    if raw is None:
        return None
    if amount is None:
        raise InputError("--key goes with --amount (a period's regular statement is issued once anyway)")
    key = raw.strip()
    if not 1 <= len(key) <= MAX_KEY or has_control_characters(key):
        raise InputError(f"--key must be 1 to {MAX_KEY} characters, without control characters")
    return key


def checked_amount(raw: str | None, description: str | None) -> int | None:
    """The amount of a one-off statement, or None for "bill the account's services"."""
    if raw is None:
        if description is not None:
            raise InputError("--description goes with --amount")
        return None
    cents = checked_cents("--amount", raw)
    if description is None:
        raise InputError("--amount goes with --description, the line item's text")
    if not 1 <= len(description.strip()) <= MAX_DESCRIPTION:
        raise InputError(f"--description must be 1 to {MAX_DESCRIPTION} characters")
    if has_control_characters(description.strip()):
        raise InputError(_NO_CONTROLS.format(option="--description"))
    return cents


def checked_service(plan: str | None, price: str | None, allowance: str | None = None) -> NewService | None:
    """The INTERNET service to create with the account: --plan and --price together, or neither; with
    --allowance it is metered."""
    if plan is None and price is None:
        if allowance is not None:
            raise InputError("--allowance goes with --plan and --price")
        return None
    if plan is None or price is None:
        raise InputError("--plan and --price go together")
    name = plan.strip()
    if not 1 <= len(name) <= MAX_PLAN:
        raise InputError(f"--plan must be 1 to {MAX_PLAN} characters")
    if has_control_characters(name):
        raise InputError(_NO_CONTROLS.format(option="--plan"))
    return NewService(plan=name, price=checked_cents("--price", price), allowance_bytes=_allowance(allowance))


def _allowance(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not re.fullmatch(r"\s*[0-9]+\s*", raw) or not 0 < int(raw) <= MAX_ALLOWANCE_BYTES:
        raise InputError(f"--allowance must be a whole number of bytes from 1 to {MAX_ALLOWANCE_BYTES}")
    return int(raw)
