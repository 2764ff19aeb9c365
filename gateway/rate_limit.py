"""Per-API-key rate limit: a fixed one-minute window counted in Redis, shared by every web process."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.responses import JSONResponse

from gateway.settings import Settings
from schema.context import ApiKeyPrincipal
from schema.errors import RequestErrorCode

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


ALLOWED = Verdict(allowed=True)


async def check_api_key(
    redis: Redis | None, api_key_id: int, limit: int, now: float | None = None
) -> Verdict:
    """Count one request of the key in the current minute; refuse past `limit` until the minute ends.

    When Redis is unreachable the request goes through: an outage of the counter must not take
    partner apps down with it."""
    if redis is None:
        return ALLOWED
    now = time.time() if now is None else now
    minute = int(now // WINDOW_SECONDS)
    key = f"ratelimit:apikey:{api_key_id}:{minute}"
    try:
        # INCR and EXPIRE in one MULTI/EXEC, so no counter is ever left without its expiry.
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS * 2)
            count, _ = await pipe.execute()
    except (RedisError, OSError) as error:
        log.warning("rate-limit counter unavailable, letting API key %s through: %s", api_key_id, error)
        return ALLOWED
    if int(count) <= limit:
        return ALLOWED
    retry_after = max(1, int((minute + 1) * WINDOW_SECONDS - now + 0.999))
    return Verdict(allowed=False, retry_after=retry_after)


async def api_key_refusal(
    api_key: ApiKeyPrincipal | None, redis: Redis | None, settings: Settings, request_id: str
) -> JSONResponse | None:
    """HTTP 429 with a RATE_LIMITED GraphQL error (data null) when the key used up its minute, else None."""
    if api_key is None:
        return None
    limit = settings.api_key_rate_per_minute
    verdict = await check_api_key(redis, api_key.api_key_id, limit)
    if verdict.allowed:
        return None
    error = {
        "message": f"This API key may send {limit} requests a minute. "
        f"Try again in {verdict.retry_after} seconds.",
        "extensions": {"code": RequestErrorCode.RATE_LIMITED.value, "retryAfter": verdict.retry_after},
    }
    return JSONResponse(
        {"data": None, "errors": [error]},
        status_code=429,
        headers={"retry-after": str(verdict.retry_after), "x-request-id": request_id},
    )
