"""localstripe (tests/stripe/localstripe_server.py) on a free port for the session, and the app with
PAYMENT_PROCESSOR=stripe pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.settings import Settings
from models.billing.processors import processor_for
from models.billing.stripe_processor import StripeProcessor
from tests.stripe.support import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, started_localstripe


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """The base URL of a localstripe started for this session (state in memory only)."""
    with started_localstripe() as base:
        yield base


@pytest.fixture
def stripe_settings(settings: Settings, localstripe: str) -> Settings:
    return settings.with_overrides(
        payment_processor="stripe",
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe,
        stripe_publishable_key=PUBLISHABLE_KEY,
        stripe_js_url=f"{localstripe}/js.stripe.com/v3/",
    )


@pytest.fixture
def app_settings(stripe_settings: Settings) -> Settings:
    return stripe_settings


@pytest.fixture
def stripe_processor(stripe_settings: Settings) -> StripeProcessor:
    processor = processor_for(stripe_settings)
    assert isinstance(processor, StripeProcessor)
    return processor
