"""The gateway's own Redis connection, for what it keeps there itself (API-key rate limits) and readiness.
Jobs go through workers.queue, whose connection is the queue's alone."""

from __future__ import annotations

from redis.asyncio import Redis

from gateway.settings import Settings
from workers.redis_pool import ReleasesPipelines, bounded_pool


def redis_client(
    redis_url: str,
    *,
    connect_timeout: float = Settings.redis_connect_timeout_seconds,
    socket_timeout: float = Settings.redis_socket_timeout_seconds,
) -> Redis:
    """Connects on first use, so the app starts while Redis is down. A Redis that refuses, or that takes
    a connection but never answers (stopped, partitioned), fails each call within its time-out, once:
    a retry would only double the wait of the request on whose path the call is. A cancelled call (a
    request's deadline, shutdown) ends cancelled, and a cancelled pipeline gives its connection back
    (workers/redis_pool.py)."""
    client: Redis = ReleasesPipelines.from_pool(
        bounded_pool(redis_url, connect_timeout=connect_timeout, socket_timeout=socket_timeout)
    )
    return client


def configured_redis(settings: Settings) -> Redis | None:
    """`redis_client` on REDIS_URL with the configured time-outs; None without REDIS_URL."""
    if not settings.redis_url:
        return None
    return redis_client(
        settings.redis_url,
        connect_timeout=settings.redis_connect_timeout_seconds,
        socket_timeout=settings.redis_socket_timeout_seconds,
    )
