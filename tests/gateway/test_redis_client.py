"""The gateway's own Redis connection: made while Redis is down, answering once it is up."""

from __future__ import annotations

import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from gateway.redis_client import redis_client


async def test_a_client_of_a_down_redis_is_made_and_fails_fast_on_use() -> None:
    # given
    client = redis_client("redis://127.0.0.1:1/0")
    started = time.monotonic()
    # when / then
    with pytest.raises(RedisConnectionError):
        await client.ping()
    assert time.monotonic() - started < 5
    await client.aclose()


async def test_a_client_answers_when_redis_is_up(redis_url: str) -> None:
    # given
    client = redis_client(redis_url)
    # when
    answer = await client.ping()
    # then
    assert answer is True
    await client.aclose()
