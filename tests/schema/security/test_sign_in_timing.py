"""An unknown username costs the same time as a wrong password: no enumeration by timing."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from gateway.settings import Settings
from models.access import Role
from tests.support import SIGN_IN, gql, make_account, make_member

TRIES = 20


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    # Spread the tries over many addresses and raise the lockout, so neither throttle cuts the work short.
    return settings.with_overrides(trusted_proxies=("203.0.113.7/32",), lockout_threshold=10_000)


async def timed(client: httpx.AsyncClient, username: str, number: int) -> float:
    started = time.perf_counter()
    body = await gql(
        client,
        SIGN_IN,
        {"input": {"username": username, "password": f"wrong password {number}", "deviceId": "d1"}},
        headers={"x-forwarded-for": f"198.51.100.{number}"},
    )
    elapsed = time.perf_counter() - started
    assert body["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    return elapsed


async def test_unknown_username_takes_as_long_as_a_wrong_password(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await timed(client, "warm-up", 0)
    # when the two kinds of failure alternate
    known, unknown = [], []
    for number in range(1, TRIES + 1):
        known.append(await timed(client, "alice", number))
        unknown.append(await timed(client, f"nobody{number}", number + 100))
    # then their medians are within 20% of each other
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.8 <= ratio <= 1.2, f"unknown/known median time ratio {ratio:.2f}"
