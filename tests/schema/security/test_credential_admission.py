"""Every credential check goes through Passwords.admitted: signIn, changePassword and resetPassword wait
while the gate is full (the burst's own checks), and run once a place frees."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from models.access import Role
from models.security.passwords import Passwords, checks_in_flight
from tests.schema.security.test_change_password import CHANGE
from tests.schema.security.test_password_reset import reset, reset_link
from tests.support import (
    OTHER_STRONG_PASSWORD,
    SIGN_IN,
    STRONG_PASSWORD,
    gql,
    make_account,
    make_member,
    sign_in,
)

# Long enough for an unguarded mutation to finish here many times over (it takes a few ms).
SETTLE_SECONDS = 0.3


@asynccontextmanager
async def full_gate(passwords: Passwords) -> AsyncIterator[None]:
    """Every place of the gate taken, until the block ends."""
    release, all_inside = asyncio.Event(), asyncio.Event()
    inside = 0

    async def hold() -> None:
        nonlocal inside
        async with passwords.admitted():
            inside += 1
            if inside == checks_in_flight():
                all_inside.set()
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(checks_in_flight())]
    await all_inside.wait()
    try:
        yield
    finally:
        release.set()
        await asyncio.gather(*holders)


async def _sign_in(client: httpx.AsyncClient, token: str) -> Any:
    body = await gql(client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
    return body["data"]["signIn"]["token"] is not None


async def _change_password(client: httpx.AsyncClient, token: str) -> Any:
    inputs = {"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD}
    body = await gql(client, CHANGE, {"input": inputs}, token=token)
    return body["data"]["changePassword"]["ok"]


async def _reset_password(client: httpx.AsyncClient, token: str) -> Any:
    link = await reset_link(client, "alice", "alice@example.com")
    return (await reset(client, token=link))["ok"]


@pytest.mark.parametrize(
    "mutation",
    [_sign_in, _change_password, _reset_password],
    ids=["signIn", "changePassword", "resetPassword"],
)
async def test_a_credential_check_waits_for_a_place_at_the_gate(
    client: httpx.AsyncClient,
    passwords: Passwords,
    mutation: Callable[[httpx.AsyncClient, str], Awaitable[Any]],
) -> None:
    # given a member, and a gate whose every place is taken
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    async with full_gate(passwords):
        # when the mutation is sent
        sent = asyncio.create_task(mutation(client, token))
        await asyncio.wait([sent], timeout=SETTLE_SECONDS)
        # then it waits
        assert not sent.done()
    # and once a place frees, it runs to its end
    assert await sent is True
