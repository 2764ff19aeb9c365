"""secureAccount ("this wasn't me") revokes the partner keys whoever held the session could have made:
the member's own, and every key of the account when the member is the primary. They stay revoked after
the password reset that lets the member back in; the log and the notices say how many."""

from __future__ import annotations

import httpx

from models.access import Permission, Role
from models.activity import ActivityEvent
from models.partners.api_keys import ApiKey
from tests.schema.partners.support import make_key
from tests.support import (
    OTHER_STRONG_PASSWORD,
    SIGN_IN,
    STRONG_PASSWORD,
    carry_out_reset_requests,
    error_codes,
    gql,
    last_message,
    make_account,
    make_member,
    token_in,
)

BALANCE = "{ account { balance { amount } } }"
SECURE = "mutation($token: String!) { secureAccount(token: $token) { ok errors { code field } } }"
REQUEST_RESET = """
mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { ok errors { code } } }
"""
RESET = "mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { ok errors { code field } } }"
OK = {"ok": True, "errors": []}


async def works(client: httpx.AsyncClient, secret: str) -> bool:
    body = await gql(client, BALANCE, token=secret)
    if error_codes(body) == ["UNAUTHENTICATED"]:
        return False
    assert "errors" not in body, body
    return True


async def say_it_was_not_me(client: httpx.AsyncClient, username: str, email: str) -> None:
    """A sign-in from a new device, and its alert's "this wasn't me" link followed."""
    body = await gql(client, SIGN_IN, {"input": {"username": username, "password": STRONG_PASSWORD}})
    assert body["data"]["signIn"]["errors"] == [], body
    alert = await last_message(email, "NEW_SIGN_IN")
    secured = await gql(client, SECURE, {"token": token_in(alert.body)})
    assert secured["data"]["secureAccount"] == OK, secured


async def reset_password(client: httpx.AsyncClient, username: str, email: str) -> None:
    body = await gql(client, REQUEST_RESET, {"input": {"login": username}})
    assert body["data"]["requestPasswordReset"] == OK, body
    await carry_out_reset_requests()
    token = token_in((await last_message(email, "PASSWORD_RESET_LINK")).body)
    inputs = {"token": token, "newPassword": OTHER_STRONG_PASSWORD, "securityAnswer": "Rex"}
    body = await gql(client, RESET, {"input": inputs})
    assert body["data"]["resetPassword"] == OK, body


async def test_a_secured_primary_loses_every_key_of_the_account_for_good(client: httpx.AsyncClient) -> None:
    # given: the primary's two keys, and one a former primary (now a manager) made, all working
    account = await make_account()
    pat = await make_member(account, "pat", role=Role.PRIMARY)
    former = await make_member(account, "fern", role=Role.MANAGER)
    keys = [
        await make_key(pat, Permission.VIEW_BILLING, name="Budget app"),
        await make_key(pat, Permission.VIEW_BILLING, name="Spreadsheet"),
        await make_key(former, Permission.VIEW_BILLING, name="Old app"),
    ]
    assert [await works(client, secret) for _, secret in keys] == [True, True, True]
    # when: pat says a sign-in was not them, then resets the password
    await say_it_was_not_me(client, "pat", "pat@example.com")
    refused_while_secured = [await works(client, secret) for _, secret in keys]
    await reset_password(client, "pat", "pat@example.com")
    # then: every key stays refused, each revocation is logged, and the notice says how many
    assert refused_while_secured == [False, False, False]
    assert [await works(client, secret) for _, secret in keys] == [False, False, False]
    assert await ApiKey.filter(account_id=account.id, revoked_at=None).count() == 0
    revoked = await ActivityEvent.filter(account_id=account.id, kind="API_KEY_REVOKED").order_by("id")
    assert [event.summary for event in revoked] == [
        f"The API key {name!r} ({key.prefix}…) was revoked: Pat secured their sign-in"
        for (key, _), name in zip(keys, ["Budget app", "Spreadsheet", "Old app"], strict=True)
    ]
    secured = await ActivityEvent.get(account_id=account.id, kind="ACCOUNT_SECURED")
    assert secured.summary.endswith("; 3 partner API keys were revoked")
    notice = await last_message("pat@example.com", "ACCOUNT_SECURED")
    assert "3 partner API keys were revoked." in notice.body


async def test_a_secured_manager_loses_their_own_keys_only(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    pat = await make_member(account, "pat", role=Role.PRIMARY)
    fern = await make_member(account, "fern", role=Role.MANAGER)
    _, primarys = await make_key(pat, Permission.VIEW_BILLING, name="Budget app")
    _, ferns = await make_key(fern, Permission.VIEW_BILLING, name="Old app")
    # when
    await say_it_was_not_me(client, "fern", "fern@example.com")
    await reset_password(client, "fern", "fern@example.com")
    # then
    assert (await works(client, primarys), await works(client, ferns)) == (True, False)
    told = await last_message("pat@example.com", "ACCOUNT_SECURED")
    assert "1 partner API key was revoked." in told.body


async def test_securing_a_member_without_keys_says_nothing_of_keys(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    pat = await make_member(account, "pat", role=Role.PRIMARY)
    await make_member(account, "sam")
    _, secret = await make_key(pat, Permission.VIEW_BILLING)
    # when
    await say_it_was_not_me(client, "sam", "sam@example.com")
    # then
    assert await works(client, secret)
    assert "API key" not in (await last_message("sam@example.com", "ACCOUNT_SECURED")).body
    secured = await ActivityEvent.get(account_id=account.id, kind="ACCOUNT_SECURED")
    assert "API key" not in secured.summary
