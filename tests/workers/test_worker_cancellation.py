"""A stopped worker stops: a call on its Redis pool (which has a socket time-out) that is cancelled, at
whatever step of its way, ends cancelled. Before Python 3.12 the time-out's `asyncio.wait_for` lost a
cancellation that landed as a command's send completed, and arq's poll loop went on after `gateway worker`
was told to stop (workers/queue.py KeepsCancellation)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection

from workers.queue import KeepsCancellation, Queue

STEPS = 40  # loop steps a PING to a local Redis takes at most, with room to spare


async def test_a_call_on_the_worker_pool_cancelled_at_any_step_ends_cancelled(redis_url: str) -> None:
    # given the pool through which the worker polls (and the web process queues jobs)
    queue = Queue.unchecked(redis_url, socket_timeout=5.0)
    lost = []
    try:
        for step in range(STEPS):
            await queue.pool.ping()  # connected and idle: each round starts alike
            # when a call is cancelled after `step` steps of the event loop
            call = asyncio.ensure_future(queue.pool.ping())
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
        assert await queue.pool.echo("mine") == b"mine"
    finally:
        await queue.close()
    # then each cancellation ended its call
    assert lost == []


@pytest.mark.parametrize(
    ("url", "chosen"),
    [("rediss://127.0.0.1:1/0", SSLConnection), ("unix:///tmp/redis.sock?db=0", UnixDomainSocketConnection)],
)
def test_the_worker_pool_keeps_cancellations_on_tls_and_unix_sockets_too(url: str, chosen: type) -> None:
    # when
    pool = Queue.unchecked(url).pool.connection_pool
    # then
    assert issubclass(pool.connection_class, KeepsCancellation)
    assert issubclass(pool.connection_class, chosen)
