"""API-key requests have their own per-minute limit, counted in Redis."""

from __future__ import annotations

import time

import httpx
import pytest
import redis.asyncio as aioredis

from gateway.rate_limit import check_api_key
from gateway.settings import Settings
from models.access import Permission
from tests.schema.partners.support import household, make_key
from tests.support import error_codes, gql, sign_in

QUERY = "{ account { number } }"
LIMIT = 3


def test_default_limit_is_600_and_read_from_the_environment() -> None:
    assert Settings().api_key_rate_per_minute == 600
    environ = {"DATA_DIR": "/tmp/unused", "SECRET_KEY": "x" * 40, "API_KEY_RATE_PER_MINUTE": "42"}
    assert Settings.from_env(environ).api_key_rate_per_minute == 42


class TestWithLowLimit:
    @pytest.fixture
    def app_settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(api_key_rate_per_minute=LIMIT)

    async def test_request_over_the_limit_is_rate_limited(self, client: httpx.AsyncClient) -> None:
        # given
        _, primary = await household()
        _, secret = await make_key(primary, Permission.VIEW_BILLING)
        _, other_secret = await make_key(primary, Permission.VIEW_BILLING, name="Other app")
        headers = {"authorization": f"Bearer {secret}"}
        for _ in range(LIMIT):
            assert "errors" not in await gql(client, QUERY, token=secret)
        # when
        response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
        # then
        assert response.status_code == 429
        body = response.json()
        assert body["data"] is None
        assert error_codes(body) == ["RATE_LIMITED"]
        retry_after = body["errors"][0]["extensions"]["retryAfter"]
        assert 1 <= retry_after <= 60
        assert response.headers["retry-after"] == str(retry_after)
        # and other keys and members keep their own budget
        assert "errors" not in await gql(client, QUERY, token=other_secret)
        for _ in range(LIMIT + 1):
            assert "errors" not in await gql(client, QUERY, token=await sign_in(client, "pat"))


async def test_counter_is_per_minute_and_expires(redis_url: str) -> None:
    # given
    redis = aioredis.from_url(redis_url)
    minute_start = (time.time() // 60) * 60
    try:
        # when
        verdicts = [await check_api_key(redis, 7, 2, now=minute_start + 10) for _ in range(3)]
        next_minute = await check_api_key(redis, 7, 2, now=minute_start + 61)
        ttl = await redis.ttl(f"ratelimit:apikey:7:{int(minute_start // 60)}")
    finally:
        await redis.aclose()
    # then
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[2].retry_after == 50
    assert next_minute.allowed
    assert 0 < ttl <= 120


async def test_redis_down_lets_the_request_through() -> None:
    # given: nothing listens on this port
    redis = aioredis.from_url("redis://127.0.0.1:1", socket_connect_timeout=0.2)
    try:
        # when
        verdict = await check_api_key(redis, 7, 0)
    finally:
        await redis.aclose()
    # then
    assert verdict.allowed
