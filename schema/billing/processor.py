"""The payment processor PAYMENT_PROCESSOR names (None when payments are off, as in production today)."""

from __future__ import annotations

from models.billing.processor import PaymentProcessor
from models.billing.processors import processor_for
from schema.permissions import Info


def processor_of(info: Info) -> PaymentProcessor | None:
    """The request's processor; None when payments are off, and nothing may be charged or saved."""
    return processor_for(info.context.settings)
