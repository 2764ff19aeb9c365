"""The payment processor PAYMENT_PROCESSOR names, built from the settings (which models do not import:
anything with these attributes will do)."""

from __future__ import annotations

from typing import Protocol

from models.billing.processor import Fault, PaymentProcessor, processor_named
from models.billing.stripe_processor import StripeAccess, StripeProcessor


class ProcessorSettings(Protocol):
    @property
    def payment_processor(self) -> str: ...
    @property
    def stripe_secret_key(self) -> str | None: ...
    @property
    def stripe_api_base(self) -> str: ...
    @property
    def public_url(self) -> str: ...
    @property
    def sandbox_latency_ms(self) -> int: ...


def processor_for(settings: ProcessorSettings, fault: Fault = "none") -> PaymentProcessor | None:
    """The configured processor, or None when payments are off. `fault` is the test-only switch."""
    if settings.payment_processor != "stripe":
        return processor_named(settings.payment_processor, fault, settings.sandbox_latency_ms)
    if not settings.stripe_secret_key:
        raise ValueError("PAYMENT_PROCESSOR=stripe needs STRIPE_SECRET_KEY")
    access = StripeAccess(
        secret_key=settings.stripe_secret_key,
        api_base=settings.stripe_api_base,
        return_url=f"{settings.public_url}/billing",
    )
    return _stripe(access, fault)


# One client (and so one pool of connections) per configuration, not one per request.
_stripe_processors: dict[tuple[StripeAccess, Fault], StripeProcessor] = {}


def _stripe(access: StripeAccess, fault: Fault) -> StripeProcessor:
    processor = _stripe_processors.get((access, fault))
    if processor is None:
        processor = _stripe_processors[(access, fault)] = StripeProcessor(access, fault)
    return processor


async def close_processors() -> None:
    """Close the pools of connections of the processors built so far, when the process that owns them
    (web, worker, CLI) shuts down; a later `processor_for` builds a new one."""
    processors = list(_stripe_processors.values())
    _stripe_processors.clear()
    for processor in processors:
        await processor.close()
