"""An unknown username costs the same time as a wrong password: no enumeration by timing."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from gateway.settings import Settings
from models.access import Role
from tests.support import SIGN_IN, count_queries, gql, make_account, make_member

TRIES = 30


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
    # when the two kinds of failure alternate, each going first in every other pair
    ratios = []
    for number in range(1, TRIES + 1):
        if number % 2:
            known = await timed(client, "alice", number)
            unknown = await timed(client, f"nobody{number}", number + 100)
        else:
            unknown = await timed(client, f"nobody{number}", number + 100)
            known = await timed(client, "alice", number)
        ratios.append(unknown / known)
    # then a typical pair is within 20% of even: pairs, each measured over the same moment, keep the
    # machine's changing load (other processes, a test suite beside this one) out of the comparison
    ratio = statistics.median(ratios)
    assert 0.8 <= ratio <= 1.2, f"unknown/known median time ratio {ratio:.2f}"


def _shape(statements: list[str]) -> list[str]:
    """Each statement as a read or a write, in order: what its cost depends on, whatever its table and
    values (an unknown login's activity row is an UPDATE that matches nothing, in the INSERT's place)."""
    return ["read" if statement.split()[0] == "SELECT" else "write" for statement in statements]


async def test_a_login_tried_for_the_first_time_runs_the_statements_a_known_one_does(
    client: httpx.AsyncClient,
) -> None:
    # given a member whose lockout counter exists (she has signed in, or been tried, before)
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await timed(client, "alice", 1)
    # when her login and a login nobody has tried before each get a wrong password
    with count_queries() as known:
        await timed(client, "alice", 2)
    with count_queries() as first_time:
        await timed(client, "nobody", 3)
    # then both run the same statements: no extra write shows which logins have been used before
    assert _shape(first_time) == _shape(known)
