"""Lockout: consecutive failures lock, locks escalate, unlock links work once, familiar devices keep going."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx

from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.notify.outbox import OutboxMessage
from models.security.lockout import SignInThrottle
from tests.support import (
    SIGN_IN,
    STRONG_PASSWORD,
    gql,
    make_account,
    make_member,
    sign_in,
    sign_in_with_code,
    token_in,
)

UNLOCK = "mutation($token: String!) { unlockMember(token: $token) { ok errors { code field } } }"
STATUS = "{ account { members { edges { node { username status } } } } }"


async def attempt(client: httpx.AsyncClient, username: str, password: str, **extra: str) -> dict[str, object]:
    body = await gql(client, SIGN_IN, {"input": {"username": username, "password": password, **extra}})
    payload: dict[str, object] = body["data"]["signIn"]
    return payload


def codes(payload: dict[str, object]) -> list[str]:
    return [error["code"] for error in payload["errors"]]  # type: ignore[attr-defined, index]


def lock_minutes(payload: dict[str, object]) -> float:
    until = datetime.fromisoformat(str(payload["lockedUntil"]))
    return (until - utcnow()).total_seconds() / 60


async def expire_locks() -> None:
    await SignInThrottle.all().update(locked_until=utcnow() - timedelta(seconds=1))


async def test_five_failures_lock_then_unlock_link_then_escalation(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    # when four wrong passwords, then a fifth
    for _ in range(4):
        assert codes(await attempt(client, "alice", "wrong password 1", deviceId="stranger")) == [
            "INVALID_CREDENTIALS"
        ]
    fifth = await attempt(client, "alice", "wrong password 1", deviceId="stranger")
    # then the fifth locks for 15 minutes, and the right password is refused without being checked
    assert codes(fifth) == ["ACCOUNT_LOCKED"]
    assert 14.9 < lock_minutes(fifth) <= 15
    right = await attempt(client, "alice", STRONG_PASSWORD, deviceId="stranger")
    assert codes(right) == ["ACCOUNT_LOCKED"]
    assert right["token"] is None
    assert right["lockedUntil"] == fifth["lockedUntil"]
    # one lockout e-mail with an unlock link that works once
    mails = await OutboxMessage.filter(kind="LOCKOUT")
    assert len(mails) == 1
    assert "http://portal.test/unlock?token=" in mails[0].body
    link_token = token_in(mails[0].body)
    assert (await gql(client, UNLOCK, {"token": link_token}))["data"]["unlockMember"] == {
        "ok": True,
        "errors": [],
    }
    again = await gql(client, UNLOCK, {"token": link_token})
    assert again["data"]["unlockMember"] == {
        "ok": False,
        "errors": [{"code": "INVALID_TOKEN", "field": "token"}],
    }
    # unlocked; with recent failures, a device never seen must answer a challenge
    await sign_in_with_code(client, "alice", deviceId="new-device-1")
    # a second lock within 24 hours lasts twice as long; after it ends, sign-in works
    for _ in range(4):
        await attempt(client, "alice", "wrong password 2", deviceId="stranger")
    second = await attempt(client, "alice", "wrong password 2", deviceId="stranger")
    assert codes(second) == ["ACCOUNT_LOCKED"]
    assert 29.9 < lock_minutes(second) <= 30
    await expire_locks()
    await sign_in_with_code(client, "alice", deviceId="new-device-2")
    kinds = await ActivityEvent.filter(kind__in=["MEMBER_LOCKED", "MEMBER_UNLOCKED"]).values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == ["MEMBER_LOCKED", "MEMBER_LOCKED", "MEMBER_UNLOCKED"]


async def test_fifty_parallel_failures_lock_once_with_one_email(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    payloads = await asyncio.gather(*(attempt(client, "alice", f"wrong guess {n}") for n in range(50)))
    outcomes = [codes(p)[0] for p in payloads]
    assert outcomes.count("INVALID_CREDENTIALS") == 4
    assert outcomes.count("ACCOUNT_LOCKED") == 46
    assert len({p["lockedUntil"] for p in payloads if p["lockedUntil"]}) == 1
    assert await OutboxMessage.filter(kind="LOCKOUT").count() == 1
    assert await ActivityEvent.filter(kind="MEMBER_LOCKED").count() == 1


async def test_a_familiar_device_keeps_working_while_strangers_are_locked_out(
    client: httpx.AsyncClient,
) -> None:
    # given alice signed in on her phone before
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await sign_in(client, "alice", deviceId="alices-phone")
    # when a stranger locks the login for unfamiliar devices
    for _ in range(5):
        await attempt(client, "alice", "stranger guess", deviceId="stranger-laptop")
    # then strangers (and devices never seen) are locked, the phone is not
    assert codes(await attempt(client, "alice", STRONG_PASSWORD, deviceId="new-tablet")) == ["ACCOUNT_LOCKED"]
    assert codes(await attempt(client, "alice", STRONG_PASSWORD)) == ["ACCOUNT_LOCKED"]
    phone = await attempt(client, "alice", STRONG_PASSWORD, deviceId="alices-phone")
    assert phone["errors"] == []
    assert phone["token"]
    primary = await sign_in(client, "alice", deviceId="alices-phone")
    status = await gql(client, STATUS, token=primary)
    assert status["data"]["account"]["members"]["edges"][0]["node"]["status"] == "LOCKED"


async def test_unknown_usernames_lock_the_same_way(client: httpx.AsyncClient) -> None:
    outcomes = [codes(await attempt(client, "ghost", "any password at all"))[0] for _ in range(6)]
    assert outcomes == ["INVALID_CREDENTIALS"] * 4 + ["ACCOUNT_LOCKED"] * 2
    assert await OutboxMessage.all().count() == 0


async def test_bad_unlock_tokens_are_refused(client: httpx.AsyncClient) -> None:
    for token in ["", "nope", "x" * 1000]:
        body = await gql(client, UNLOCK, {"token": token})
        assert body["data"]["unlockMember"] == {
            "ok": False,
            "errors": [{"code": "INVALID_TOKEN", "field": "token"}],
        }
