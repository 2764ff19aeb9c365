"""A stopped worker stops: a call on its Redis pool (which has a socket time-out) that is cancelled, at
whatever step of its way, ends cancelled, and so does one of the gateway's own client. Before Python 3.12
the time-out's `asyncio.wait_for` lost a cancellation that landed as a command's send completed, and arq's
poll loop went on after `gateway worker` was told to stop (workers/redis_pool.py KeepsCancellation)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection

from gateway.redis_client import redis_client
from workers.queue import Queue
from workers.redis_pool import KeepsCancellation

STEPS = 40  # loop steps a PING to a local Redis takes at most, with room to spare


@pytest.mark.parametrize("client", ["worker", "gateway"])
async def test_a_call_cancelled_at_any_step_ends_cancelled(redis_url: str, client: str) -> None:
    # given the pool through which the worker polls (and the web process queues jobs), or the gateway's
    queue = Queue.unchecked(redis_url, socket_timeout=5.0)
    redis = queue.pool if client == "worker" else redis_client(redis_url, socket_timeout=5.0)
    lost = []
    try:
        for step in range(STEPS):
            await redis.ping()  # connected and idle: each round starts alike
            # when a call is cancelled after `step` steps of the event loop
            call = asyncio.ensure_future(redis.ping())
            for _ in range(step):
                await asyncio.sleep(0)
            if call.done():
                break
            call.cancel()
            await asyncio.wait({call})
            if not call.cancelled():
                lost.append(step)
        else:
            pytest.fail(f"a PING took more than {STEPS} loop steps")
        # then the connection still answers each call with its own reply
        assert await redis.echo("mine") == b"mine"
    finally:
        await queue.close()
        await redis.aclose()
    # then each cancellation ended its call
    assert lost == []


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
