"""Enqueueing jobs (msgpack, never pickle). Only workers/ knows arq; the rest of the project uses Queue."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import msgpack
from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix
from redis.exceptions import RedisError

from gateway.settings import Settings
from models.members.models import Channel
from workers.redis_pool import ReleasesPipelines, bounded_pool

log = logging.getLogger(__name__)

QUEUE_NAME = "gateway:queue"
DELIVERY_TASKS = {Channel.EMAIL: "send_email", Channel.SMS: "send_sms"}

# The id of the web request (or of the job) doing the queueing; each job carries it (keyword
# `request_id`), so the worker's log lines of that job name the request that caused it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def serialize(job: dict[str, Any]) -> bytes:
    packed: bytes = msgpack.packb(job, datetime=True)
    return packed


def deserialize(data: bytes) -> dict[str, Any]:
    unpacked: dict[str, Any] = msgpack.unpackb(data, raw=False, timestamp=3)
    return unpacked


class QueueRedis(ReleasesPipelines, ArqRedis):  # type: ignore[misc]
    """arq's client whose pipelines give their connection back even when cancelled (workers/redis_pool.py)."""


def arq_redis(
    redis_url: str,
    *,
    connect_timeout: float = Settings.redis_connect_timeout_seconds,
    socket_timeout: float = Settings.redis_socket_timeout_seconds,
) -> ArqRedis:
    """arq's client on a pool of our own: arq's RedisSettings has no socket time-out, so a Redis that takes
    the connection but never answers (stopped, partitioned) would hang every call. With one, each call
    fails within `socket_timeout`, once. arq blocks on no command (it polls with ZRANGEBYSCORE and sleeps
    between polls), so no healthy call waits anywhere near it. Its connections keep a cancellation that
    the time-out's `asyncio.wait_for` would lose, and its pipelines release them even when cancelled
    (workers/redis_pool.py)."""
    return QueueRedis(
        bounded_pool(redis_url, connect_timeout=connect_timeout, socket_timeout=socket_timeout),
        job_serializer=serialize,
        job_deserializer=deserialize,
        default_queue_name=QUEUE_NAME,
    )


class Queue:
    """A connection to the job queue; enqueue failures are logged, never raised (the sweeper re-queues)."""

    def __init__(self, pool: ArqRedis) -> None:
        self.pool = pool

    @classmethod
    async def connect(
        cls,
        redis_url: str,
        *,
        connect_timeout: float = Settings.redis_connect_timeout_seconds,
        socket_timeout: float = Settings.redis_socket_timeout_seconds,
    ) -> Queue:
        """A queue whose Redis answered a PING (raises RedisError or OSError if not)."""
        queue = cls.unchecked(redis_url, connect_timeout=connect_timeout, socket_timeout=socket_timeout)
        try:
            await queue.pool.ping()
        except BaseException:
            await queue.close()
            raise
        return queue

    @classmethod
    def unchecked(
        cls,
        redis_url: str,
        *,
        connect_timeout: float = Settings.redis_connect_timeout_seconds,
        socket_timeout: float = Settings.redis_socket_timeout_seconds,
    ) -> Queue:
        """A queue that connects on first use, so a process can start while Redis is down. A Redis that
        takes the connection but never answers fails each enqueue within `socket_timeout`, once: the
        outbox row stays PENDING and the sweeper queues it later."""
        return cls(arq_redis(redis_url, connect_timeout=connect_timeout, socket_timeout=socket_timeout))

    @classmethod
    def configured(cls, settings: Settings) -> Queue | None:
        """`unchecked` on REDIS_URL with the configured time-outs; None without REDIS_URL."""
        if not settings.redis_url:
            return None
        return cls.unchecked(
            settings.redis_url,
            connect_timeout=settings.redis_connect_timeout_seconds,
            socket_timeout=settings.redis_socket_timeout_seconds,
        )

    async def close(self) -> None:
        # The pool is closed too: a client handed a pool (unchecked) would otherwise leave its sockets open.
        await self.pool.aclose(close_connection_pool=True)

    async def deliver(self, messages: Iterable[tuple[int, Channel]]) -> int:
        """Queue delivery of outbox messages; returns how many were queued."""
        queued = 0
        current = request_id.get()
        # Only when known, so jobs the sweeper or the CLI queue look as they always did.
        extra: dict[str, Any] = {"request_id": current} if current else {}
        for message_id, channel in messages:
            try:
                job = await self.pool.enqueue_job(
                    DELIVERY_TASKS[channel],
                    message_id,
                    _job_id=delivery_job_id(message_id),
                    **extra,
                )
            except (RedisError, OSError) as error:
                log.warning(
                    "queue unavailable, outbox message %s waits for the sweeper: %s", message_id, error
                )
                return queued
            queued += job is not None
        return queued

    async def release(self, message_ids: Iterable[int]) -> None:
        """Let the delivery jobs of messages whose delivery died (a killed worker) run again at once.

        arq holds a started job for the worker's longest time-out plus 10 s (an hour, for the daily
        crons) and skips it meanwhile; the outbox's claim, not this hold, is what keeps a message from
        being sent twice, so dropping the hold of a message whose claim lapsed is safe.
        """
        keys = [in_progress_key_prefix + delivery_job_id(message_id) for message_id in message_ids]
        if not keys:
            return
        try:
            await self.pool.delete(*keys)
        except (RedisError, OSError) as error:
            log.warning("queue unavailable, stalled deliveries wait for the next sweep: %s", error)


def delivery_job_id(message_id: int) -> str:
    """One job id a message, so a message already queued or being delivered is not queued twice."""
    return f"outbox:{message_id}"
