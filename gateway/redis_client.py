"""The gateway's own Redis connection, for what it keeps there itself (API-key rate limits) and readiness.
Jobs go through workers.queue, whose connection is the queue's alone."""

from __future__ import annotations

from redis.asyncio import Redis


def redis_client(redis_url: str) -> Redis:
    """Connects on first use, so the app starts while Redis is down, and gives up after a second."""
    client: Redis = Redis.from_url(redis_url, socket_connect_timeout=1)
    return client
