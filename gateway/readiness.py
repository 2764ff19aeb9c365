"""/readyz: the database and Redis each answer within READINESS_TIMEOUT_SECONDS, checked at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import connections

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[JSONResponse]]


def readiness_endpoint(current_redis: Callable[[], Redis | None], timeout_seconds: float) -> Endpoint:
    """200 when both answer, else 503 naming which did not; never slower than the time-out (a hung
    dependency must not hang the probe, or the balancer would wait rather than route around us)."""

    async def readyz(request: Request) -> JSONResponse:
        database, redis = await asyncio.gather(
            _bounded("database", _database_ready(), timeout_seconds),
            _bounded("redis", _redis_ready(current_redis()), timeout_seconds),
        )
        ready = database == redis == "ok"
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "database": database, "redis": redis},
            status_code=200 if ready else 503,
        )

    return readyz


async def _bounded(name: str, check: Awaitable[str], timeout_seconds: float) -> str:
    try:
        async with asyncio.timeout(timeout_seconds):
            return await check
    except Exception as error:  # any failure means not ready; the kind goes to the answer, not the details
        reason = f"no answer within {timeout_seconds} s" if isinstance(error, TimeoutError) else error
        log.warning("readiness: %s check failed: %s", name, reason)
        return "unavailable"


async def _database_ready() -> str:
    await connections.get("default").execute_query("SELECT 1")
    return "ok"


async def _redis_ready(redis: Redis | None) -> str:
    if redis is None:
        return "not configured"
    await redis.ping()
    return "ok"
