"""The per-IP throttle: more than 20 failed sign-ins from one address in 10 minutes -> RATE_LIMITED."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.access import Role
from models.db.clock import utcnow
from models.security.throttle import FailedSignIn
from tests.support import (
    REQUEST_STEP_UP,
    SIGN_IN,
    STRONG_PASSWORD,
    error_codes,
    gql,
    make_account,
    make_member,
)


async def test_the_21st_failure_from_one_address_is_rate_limited(client: httpx.AsyncClient) -> None:
    # given a member, signed in before the attack
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    signed_in = await gql(client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
    token = signed_in["data"]["signIn"]["token"]
    # when 20 failed sign-ins across different usernames come from one address
    for number in range(20):
        body = await gql(client, SIGN_IN, {"input": {"username": f"user{number}", "password": "guess guess"}})
        assert body["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    # then the 21st and later are refused, even with the right password, with retryAfter
    for username, password in [("user99", "guess guess"), ("alice", STRONG_PASSWORD)]:
        body = await gql(client, SIGN_IN, {"input": {"username": username, "password": password}})
        assert body["data"] is None
        assert error_codes(body) == ["RATE_LIMITED"]
        assert 590 <= body["errors"][0]["extensions"]["retryAfter"] <= 601
    assert error_codes(await gql(client, REQUEST_STEP_UP, token=token)) == ["RATE_LIMITED"]
    # another address is not affected
    other = await client.post(
        "/graphql",
        json={"query": SIGN_IN, "variables": {"input": {"username": "alice", "password": STRONG_PASSWORD}}},
        headers={"x-forwarded-for": "198.51.100.9"},
    )
    assert other.json()["data"] is None  # X-Forwarded-For is ignored: the peer is not a trusted proxy


async def test_failures_older_than_ten_minutes_do_not_count(client: httpx.AsyncClient) -> None:
    old = utcnow() - timedelta(minutes=11)
    await FailedSignIn.bulk_create([FailedSignIn(ip_address="203.0.113.7", at=old) for _ in range(30)])
    body = await gql(client, SIGN_IN, {"input": {"username": "nobody", "password": "guess guess"}})
    assert body["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
