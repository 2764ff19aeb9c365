"""The payment processor PAYMENT_PROCESSOR names (None when payments are off, as in production today)."""

from __future__ import annotations

from models.billing.processor import PaymentProcessor, processor_named
from schema.permissions import Info


def processor_of(info: Info) -> PaymentProcessor | None:
    """The request's processor; None when payments are off, and nothing may be charged or saved."""
    settings = info.context.settings
    return processor_named(settings.payment_processor, latency_ms=settings.sandbox_latency_ms)
