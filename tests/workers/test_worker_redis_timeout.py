"""The worker's own Redis connection has REDIS_SOCKET_TIMEOUT_SECONDS: against a Redis that takes
connections but never answers (SIGSTOP of a redis-server of the test's own), the worker's polling fails
within it (and `run_worker` reconnects) instead of hanging for ever."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.settings import Settings
from tests.gateway.stoppable_redis import StoppableRedis, stoppable_redis
from workers.runner import build_worker, stop

REDIS_TIMEOUT = 0.5
MARGIN = 3.0


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[StoppableRedis]:
    with stoppable_redis(tmp_path) as server:
        yield server


async def test_a_worker_whose_redis_hangs_fails_within_the_socket_time_out(
    worker_settings: Settings, redis_server: StoppableRedis
) -> None:
    # given a worker polling a Redis of its own
    settings = worker_settings.with_overrides(
        redis_url=redis_server.url, redis_socket_timeout_seconds=REDIS_TIMEOUT
    )
    worker = build_worker(settings, database_open=True)
    running = asyncio.create_task(worker.async_run())
    try:
        for _ in range(int(MARGIN / 0.01)):  # until on_startup has run: then the worker polls
            if "queue" in worker.ctx:
                break
            await asyncio.sleep(0.01)
        # when Redis stops answering
        redis_server.stop()
        # then its next call fails within the time-out
        async with asyncio.timeout(REDIS_TIMEOUT + MARGIN):
            with pytest.raises(RedisTimeoutError):
                await running
    finally:
        redis_server.resume()
        running.cancel()
        await stop(worker)
