"""The payment processor PAYMENT_PROCESSOR names, or the refusal when there is none (production today)."""

from __future__ import annotations

from models.billing.processor import PaymentProcessor
from models.billing.processors import processor_for
from schema.errors import ErrorCode, UserError, user_error
from schema.permissions import Info


def processor_of(info: Info) -> PaymentProcessor | None:
    """The request's processor; None when payments are off, and nothing may be charged or saved."""
    return processor_for(info.context.settings)


def payments_unavailable() -> UserError:
    return user_error(
        ErrorCode.PAYMENTS_UNAVAILABLE,
        "Payments are not available right now; nothing was charged. Please try again later.",
    )
