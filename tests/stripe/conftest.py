"""localstripe (tests/stripe/localstripe_server.py) on a free port for the session, and the app with
PAYMENT_PROCESSOR=stripe pointed at it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.settings import Settings
from models.billing.processors import processor_for
from models.billing.stripe_processor import StripeProcessor
from tests.stripe.support import SECRET_KEY, WEBHOOK_SECRET

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """The base URL of a localstripe started for this session (state in memory only)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.stripe.localstripe_server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base}/v1/customers", auth=(SECRET_KEY, ""), timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def stripe_settings(settings: Settings, localstripe: str) -> Settings:
    return settings.with_overrides(
        payment_processor="stripe",
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe,
    )


@pytest.fixture
def app_settings(stripe_settings: Settings) -> Settings:
    return stripe_settings


@pytest.fixture
def stripe_processor(stripe_settings: Settings) -> StripeProcessor:
    processor = processor_for(stripe_settings)
    assert isinstance(processor, StripeProcessor)
    return processor
