"""Redis connections bounded by time-outs that still keep a cancellation, and pipelines that give their
connection back however they are cancelled: the pool and client of the worker and of the web process's
queue (workers/queue.py) and the gateway's own client (gateway/redis_client.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.connection import AbstractConnection, Connection, SSLConnection, UnixDomainSocketConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff


class KeepsCancellation(AbstractConnection):
    """A connection on which a cancelled call is always cancelled.

    With a socket time-out, redis-py (to 8.1 at least) bounds each send with `asyncio.wait_for`, which
    before Python 3.12 returns instead of raising when the cancellation lands as the send completes
    (CPython gh-86296): the call then reads its reply and returns as if never cancelled, and arq's poll
    loop went on after the worker was stopped. The lost cancellation is raised here, once the send is
    over; the connection is dropped first, as redis-py drops one whose send it sees cancelled, so that
    the next call on it does not read this call's reply."""

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        task = asyncio.current_task()
        cancelling = task.cancelling() if task is not None else 0
        await super().send_packed_command(command, check_health)
        if task is not None and task.cancelling() > cancelling:
            await self.disconnect(nowait=True)
            raise asyncio.CancelledError


class KeepsCancellationTCP(KeepsCancellation, Connection):
    pass


class KeepsCancellationTLS(KeepsCancellation, SSLConnection):
    pass


class KeepsCancellationUnix(KeepsCancellation, UnixDomainSocketConnection):
    pass


# What ConnectionPool.from_url picks for redis://, rediss:// and unix:// URLs, and ours in its place.
KEEPING_CANCELLATION: dict[type[AbstractConnection], type[KeepsCancellation]] = {
    Connection: KeepsCancellationTCP,
    SSLConnection: KeepsCancellationTLS,
    UnixDomainSocketConnection: KeepsCancellationUnix,
}


def bounded_pool(redis_url: str, *, connect_timeout: float, socket_timeout: float) -> ConnectionPool:
    """A pool whose calls each fail within their time-out, once (a retry would only double the wait of
    whoever is waiting), on connections that keep a cancellation."""
    pool = ConnectionPool.from_url(
        redis_url,
        socket_connect_timeout=connect_timeout,
        socket_timeout=socket_timeout,
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
    )
    pool.connection_class = KEEPING_CANCELLATION[pool.connection_class]
    return pool


class ReleasingPipeline(Pipeline):
    """A pipeline that gives its connection back to the pool however its reset ends.

    redis-py's reset sends UNWATCH on a watching pipeline (arq's enqueue and job bookkeeping watch keys)
    and only then releases the connection; a cancellation that lands there (a second cancel of a stopping
    worker, a deadline after a first one) left the connection out of the pool for good, and the garbage
    collector then warned of an unclosed client. Here the connection, whose WATCH may still hold, is
    closed and released, and the cancellation goes on."""

    async def reset(self) -> None:
        try:
            await super().reset()  # type: ignore[no-untyped-call]
        except BaseException:
            connection, self.connection = self.connection, None
            if connection is not None:
                # Neither call suspends: a cancellation still pending cannot stop them half-way.
                await connection.disconnect(nowait=True)
                await self.connection_pool.release(connection)
            self.watching = False
            raise


class ReleasesPipelines(Redis):
    """A client whose pipelines are ReleasingPipeline; mixed into arq's client by workers/queue.py."""

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        return ReleasingPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
