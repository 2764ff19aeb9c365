"""A stopped worker stops: a call on its Redis pool (which has a socket time-out) that is cancelled, at
whatever step of its way, ends cancelled, and so does one of the gateway's own client. Before Python 3.12
the time-out's `asyncio.wait_for` lost a cancellation that landed as a command's send completed, and arq's
poll loop went on after `gateway worker` was told to stop (workers/redis_pool.py KeepsCancellation). And a
watching pipeline cancelled twice, the second time as it resets, gives its connection back
(ReleasingPipeline): redis-py's own kept it out of the pool for good."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection

from gateway.redis_client import redis_client
from workers.queue import Queue
from workers.redis_pool import KeepsCancellation

STEPS = 80  # loop steps a PING, or a watched write, to a local Redis takes at most, with room to spare


async def cancel_at_each_step(
    redis: Redis, call: Callable[[], Awaitable[Any]], *, again_after: int | None = None
) -> list[int]:
    """Start `call` and cancel it after 0, 1, 2, ... steps of the event loop (and again `again_after`
    steps later), each time anew, until it ends first; the steps at which it did not end cancelled."""
    lost = []
    for step in range(STEPS):
        await redis.ping()  # connected and idle: each round starts alike
        running = asyncio.ensure_future(call())
        for _ in range(step):
            await asyncio.sleep(0)
        if running.done():
            return lost
        running.cancel()
        for _ in range(again_after or 0):
            await asyncio.sleep(0)
        if again_after is not None:
            running.cancel()
        await asyncio.wait({running})
        if not running.cancelled():
            lost.append(step)
    pytest.fail(f"the call took more than {STEPS} loop steps")


@pytest.mark.parametrize("client", ["worker", "gateway"])
async def test_a_call_cancelled_at_any_step_ends_cancelled(redis_url: str, client: str) -> None:
    # given the pool through which the worker polls (and the web process queues jobs), or the gateway's
    queue = Queue.unchecked(redis_url, socket_timeout=5.0)
    redis = queue.pool if client == "worker" else redis_client(redis_url, socket_timeout=5.0)
    try:
        # when a PING is cancelled at each step of its way
        lost = await cancel_at_each_step(redis, redis.ping)
        # then the connection still answers each call with its own reply
        assert await redis.echo("mine") == b"mine"
    finally:
        await queue.close()
        await redis.aclose()
    # then each cancellation ended its call
    assert lost == []


async def watched_write(redis: Redis) -> None:
    """What arq does to enqueue a job: WATCH a key, read it, then write in MULTI/EXEC."""
    async with redis.pipeline(transaction=True) as pipe:
        await pipe.watch("cancellation:watched")
        await pipe.get("cancellation:watched")
        pipe.multi()
        pipe.set("cancellation:watched", "written")
        await pipe.execute()


@pytest.mark.parametrize("between", [0, 1, 2, 4, 8])
@pytest.mark.parametrize("client", ["worker", "gateway"])
async def test_a_pipeline_cancelled_twice_gives_its_connection_back(
    redis_url: str, client: str, between: int
) -> None:
    # given a pool of one connection: one kept out of it makes the next call fail
    queue = Queue.unchecked(redis_url, socket_timeout=5.0)
    redis = queue.pool if client == "worker" else redis_client(redis_url, socket_timeout=5.0)
    redis.connection_pool.max_connections = 1
    try:
        # when a watching pipeline is cancelled at each step of its way, and again `between` steps later
        await cancel_at_each_step(redis, lambda: watched_write(redis), again_after=between)
        # then the one connection is back in the pool and answers with its own reply
        assert await redis.echo("mine") == b"mine"
    finally:
        await queue.close()
        await redis.aclose()


@pytest.mark.parametrize(
    ("url", "chosen"),
    [("rediss://127.0.0.1:1/0", SSLConnection), ("unix:///tmp/redis.sock?db=0", UnixDomainSocketConnection)],
)
def test_both_pools_keep_cancellations_on_tls_and_unix_sockets_too(url: str, chosen: type) -> None:
    # when
    pools = [Queue.unchecked(url).pool.connection_pool, redis_client(url).connection_pool]
    # then
    for pool in pools:
        assert issubclass(pool.connection_class, KeepsCancellation)
        assert issubclass(pool.connection_class, chosen)
