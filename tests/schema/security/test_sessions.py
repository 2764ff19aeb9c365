"""Sessions: cookies with the double-submit CSRF header, revocation, idle and absolute expiry."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.access import Role
from models.db.clock import utcnow
from models.security.models import Session
from models.security.tokens import hash_token
from tests.support import SIGN_IN, STRONG_PASSWORD, error_codes, gql, make_account, make_member, sign_in

ME = "{ me { username sessions { id current ipAddress userAgent } } }"
SIGN_OUT = "mutation { signOut { ok errors { code } } }"
REVOKE = "mutation($id: ID!) { revokeSession(id: $id) { ok errors { code field } } }"
EVERYWHERE = "mutation { signOutEverywhere { ok errors { code } } }"


async def alice(client: httpx.AsyncClient) -> str:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    return await sign_in(client, "alice")


async def test_only_the_token_hash_is_stored(client: httpx.AsyncClient) -> None:
    token = await alice(client)
    session = await Session.get()
    assert session.token_hash == hash_token(token)
    assert token not in session.token_hash
    assert len(token) >= 43  # 256 bits, URL-safe base64


async def test_cookie_sign_in_needs_the_csrf_header(client: httpx.AsyncClient) -> None:
    # given a browser that signed in: the response set the HttpOnly session cookie and the csrf cookie
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    response = await client.post(
        "/graphql",
        json={"query": SIGN_IN, "variables": {"input": {"username": "alice", "password": STRONG_PASSWORD}}},
    )
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie
    csrf = client.cookies["csrf"]
    # when the cookie comes without, with a wrong, and with the right header
    without = (await client.post("/graphql", json={"query": "{ me { username } }"})).json()
    wrong = (
        await client.post("/graphql", json={"query": "{ me { username } }"}, headers={"x-csrf-token": "x"})
    ).json()
    right = (
        await client.post("/graphql", json={"query": "{ me { username } }"}, headers={"x-csrf-token": csrf})
    ).json()
    # then
    assert without == {"data": {"me": None}}
    assert wrong == {"data": {"me": None}}
    assert right == {"data": {"me": {"username": "alice"}}}


async def test_sessions_list_marks_the_current_one_and_revoke_ends_one(client: httpx.AsyncClient) -> None:
    first = await alice(client)
    second = await sign_in(client, "alice")
    body = await gql(client, ME, token=first, headers={"user-agent": "Firefox/130"})
    sessions = body["data"]["me"]["sessions"]
    assert len(sessions) == 2
    assert sorted(s["current"] for s in sessions) == [False, True]
    assert {s["ipAddress"] for s in sessions} == {"203.0.113.7"}
    other = next(s for s in sessions if not s["current"])
    revoked = await gql(client, REVOKE, {"id": other["id"]}, token=first)
    assert revoked["data"]["revokeSession"] == {"ok": True, "errors": []}
    assert (await gql(client, "{ me { username } }", token=second))["data"]["me"] is None
    again = await gql(client, REVOKE, {"id": other["id"]}, token=first)
    assert again["data"]["revokeSession"] == {"ok": False, "errors": [{"code": "NOT_FOUND", "field": "id"}]}
    for bad_id in ["", "garbage", "TWVtYmVyOjE"]:
        body = await gql(client, REVOKE, {"id": bad_id}, token=first)
        assert body["data"]["revokeSession"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]


async def test_cannot_revoke_another_members_session(client: httpx.AsyncClient) -> None:
    token = await alice(client)
    account = await make_account("Other")
    await make_member(account, "bob")
    bob = await sign_in(client, "bob")
    bob_session = (await gql(client, ME, token=bob))["data"]["me"]["sessions"][0]["id"]
    body = await gql(client, REVOKE, {"id": bob_session}, token=token)
    assert body["data"]["revokeSession"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert (await gql(client, "{ me { username } }", token=bob))["data"]["me"] == {"username": "bob"}


async def test_sign_out_and_sign_out_everywhere(client: httpx.AsyncClient) -> None:
    first = await alice(client)
    second = await sign_in(client, "alice")
    third = await sign_in(client, "alice")
    assert (await gql(client, SIGN_OUT, token=first))["data"]["signOut"] == {"ok": True, "errors": []}
    assert (await gql(client, "{ me { username } }", token=first))["data"]["me"] is None
    assert (await gql(client, EVERYWHERE, token=second))["data"]["signOutEverywhere"] == {
        "ok": True,
        "errors": [],
    }
    for token in (second, third):
        assert (await gql(client, "{ me { username } }", token=token))["data"]["me"] is None
    assert error_codes(await gql(client, SIGN_OUT)) == ["UNAUTHENTICATED"]


async def test_idle_and_absolute_expiry(client: httpx.AsyncClient) -> None:
    idle = await alice(client)
    await Session.all().update(last_seen_at=utcnow() - timedelta(seconds=1801))
    assert (await gql(client, "{ me { username } }", token=idle))["data"]["me"] is None
    old = await sign_in(client, "alice")
    await Session.filter(token_hash=hash_token(old)).update(expires_at=utcnow() - timedelta(seconds=1))
    assert (await gql(client, "{ me { username } }", token=old))["data"]["me"] is None


async def test_activity_is_refreshed_at_most_once_a_minute(client: httpx.AsyncClient) -> None:
    token = await alice(client)
    before = (await Session.get()).last_seen_at
    await gql(client, "{ me { username } }", token=token)
    assert (await Session.get()).last_seen_at == before
    await Session.all().update(last_seen_at=before - timedelta(seconds=61))
    await gql(client, "{ me { username } }", token=token)
    assert (await Session.get()).last_seen_at > before - timedelta(seconds=1)


async def test_device_id_too_long_is_refused(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    body = await gql(
        client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD, "deviceId": "d" * 129}}
    )
    assert body["data"]["signIn"]["errors"] == [
        {"code": "INVALID_INPUT", "field": "deviceId", "message": "deviceId is too long."}
    ]


async def test_disabled_member_gets_account_disabled_only_with_the_right_password(
    client: httpx.AsyncClient,
) -> None:
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    member.status = "DISABLED"
    await member.save()
    wrong = await gql(client, SIGN_IN, {"input": {"username": "alice", "password": "not the password"}})
    right = await gql(client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
    assert wrong["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert right["data"]["signIn"]["errors"][0]["code"] == "ACCOUNT_DISABLED"
    assert right["data"]["signIn"]["token"] is None
