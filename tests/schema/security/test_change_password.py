"""Changing the password: the current one proves it, the policy applies, other sessions end."""

from __future__ import annotations

import httpx

from models.access import Role
from models.activity import ActivityEvent
from tests.support import (
    OTHER_STRONG_PASSWORD,
    SIGN_IN,
    STRONG_PASSWORD,
    error_codes,
    gql,
    last_message,
    make_account,
    make_member,
    sign_in,
)

CHANGE = """
mutation($input: ChangePasswordInput!) { changePassword(input: $input) { ok errors { code field } } }
"""


async def test_change_password_ends_other_sessions_and_tells_the_member(client: httpx.AsyncClient) -> None:
    # given two sessions
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    current = await sign_in(client, "alice")
    other = await sign_in(client, "alice")
    # when
    body = await gql(
        client,
        CHANGE,
        {"input": {"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD}},
        token=current,
    )
    # then
    assert body["data"]["changePassword"] == {"ok": True, "errors": []}
    assert (await gql(client, "{ me { username } }", token=current))["data"]["me"] == {"username": "alice"}
    assert (await gql(client, "{ me { username } }", token=other))["data"]["me"] is None
    old = await gql(client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
    assert old["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    await sign_in(client, "alice", OTHER_STRONG_PASSWORD)
    notice = await last_message("alice@example.com", "PASSWORD_CHANGED")
    assert "password" in notice.subject.lower()
    assert await ActivityEvent.filter(kind="PASSWORD_CHANGED").count() == 1


async def test_wrong_current_or_weak_new_password_changes_nothing(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    cases = [
        (
            {"currentPassword": "not it at all", "newPassword": OTHER_STRONG_PASSWORD},
            "INVALID_CREDENTIALS",
            "currentPassword",
        ),
        (
            {"currentPassword": "x" * 10_000, "newPassword": OTHER_STRONG_PASSWORD},
            "INVALID_CREDENTIALS",
            "currentPassword",
        ),
        (
            {"currentPassword": STRONG_PASSWORD, "newPassword": "password12345"},
            "WEAK_PASSWORD",
            "newPassword",
        ),
        (
            {"currentPassword": STRONG_PASSWORD, "newPassword": "alice@example.com"},
            "WEAK_PASSWORD",
            "newPassword",
        ),
        ({"currentPassword": STRONG_PASSWORD, "newPassword": "short"}, "WEAK_PASSWORD", "newPassword"),
    ]
    for values, code, field in cases:
        body = await gql(client, CHANGE, {"input": values}, token=token)
        assert body["data"]["changePassword"] == {"ok": False, "errors": [{"code": code, "field": field}]}
    await sign_in(client, "alice", STRONG_PASSWORD)
    assert error_codes(
        await gql(client, CHANGE, {"input": {"currentPassword": "a", "newPassword": "b"}})
    ) == ["UNAUTHENTICATED"]


async def test_a_128_character_passphrase_is_accepted(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    passphrase = ("orchard comet velvet lantern harbor quartz meadow thistle " * 3)[:128]
    body = await gql(
        client,
        CHANGE,
        {"input": {"currentPassword": STRONG_PASSWORD, "newPassword": passphrase}},
        token=token,
    )
    assert body["data"]["changePassword"] == {"ok": True, "errors": []}
    await sign_in(client, "alice", passphrase)


CHANGE_WITH_MESSAGE = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok errors { code field message } }
}
"""


async def test_a_new_password_with_the_members_identity_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    # given a member named Marigold.J, username marigold.j, e-mail marigold.j@example.com
    account = await make_account()
    await make_member(account, "marigold.j", role=Role.PRIMARY)
    token = await sign_in(client, "marigold.j")
    refused = {
        "code": "WEAK_PASSWORD",
        "field": "newPassword",
        "message": "Your password must not contain your name, username or e-mail address.",
    }
    for new_password in ["orchard MARIGOLD comet 4242", "velvet Marigold.J harbor 9931"]:
        # when
        body = await gql(
            client,
            CHANGE_WITH_MESSAGE,
            {"input": {"currentPassword": STRONG_PASSWORD, "newPassword": new_password}},
            token=token,
        )
        # then refused, saying why, and the password is the old one still
        assert body["data"]["changePassword"] == {"ok": False, "errors": [refused]}, new_password
        rejected = await gql(client, SIGN_IN, {"input": {"username": "marigold.j", "password": new_password}})
        assert rejected["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    await sign_in(client, "marigold.j", STRONG_PASSWORD)
    assert await ActivityEvent.filter(kind="PASSWORD_CHANGED").count() == 0
