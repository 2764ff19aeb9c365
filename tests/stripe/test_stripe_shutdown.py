"""The web and worker processes close the Stripe client's pool of connections when they shut down."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from tortoise import Tortoise

from gateway.app import create_app
from gateway.settings import Settings
from models.billing.processors import processor_for
from models.billing.stripe_processor import StripeProcessor
from models.db.database import open_database
from workers.observability import HEALTH_CHECK_KEY
from workers.runner import run_worker

START_SECONDS = 10.0


@pytest.fixture
async def database_handed_over(settings: Settings) -> AsyncIterator[None]:
    """The session's database closed, for the process under test to open and close itself; then reopened."""
    await _close_database()
    yield
    gc.unfreeze()  # the app's start-up froze its heap (gateway/heap.py)
    await _close_database()
    await open_database(settings.database_url)


async def _close_database() -> None:
    import tortoise.context

    await Tortoise.close_connections()
    tortoise.context._global_context = None


async def connected(settings: Settings) -> StripeProcessor:
    """The configured Stripe processor, with a connection to Stripe in its pool."""
    processor = processor_for(settings)
    assert isinstance(processor, StripeProcessor)
    await processor.client.v1.customers.list_async()
    assert not processor.http._client_async.is_closed
    return processor


@pytest.mark.usefixtures("database_handed_over")
async def test_the_web_process_closes_the_stripe_client_on_shutdown(stripe_settings: Settings) -> None:
    # given the app started as the Procfile's web process starts it, having called Stripe
    app = create_app(stripe_settings)
    async with app.router.lifespan_context(app):
        processor = await connected(stripe_settings)
    # when it has shut down
    # then
    assert processor.http._client_async.is_closed
    assert processor_for(stripe_settings) is not processor


@pytest.mark.usefixtures("database_handed_over")
async def test_the_worker_process_closes_the_stripe_client_on_shutdown(stripe_settings: Settings) -> None:
    # given `gateway worker`'s worker running, and the process's Stripe client connected
    assert stripe_settings.redis_url is not None
    running = asyncio.create_task(run_worker(stripe_settings))
    redis = aioredis.from_url(stripe_settings.redis_url)
    try:
        for _ in range(int(START_SECONDS / 0.05)):  # its first poll records its health
            if await redis.exists(HEALTH_CHECK_KEY):
                break
            await asyncio.sleep(0.05)
    finally:
        await redis.aclose()
    processor = await connected(stripe_settings)
    # when it is stopped (SIGTERM cancels it)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    # then
    assert processor.http._client_async.is_closed
