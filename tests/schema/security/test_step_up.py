"""Step-up codes: six digits alone on a line, 10 minutes, 5 tries, single use, bound to the session."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from models.access import Role
from models.db.clock import utcnow
from models.security.models import OneTimeToken, Session, TokenPurpose
from tests.support import (
    REQUEST_STEP_UP,
    VERIFY_STEP_UP,
    error_codes,
    gql,
    last_code,
    last_message,
    make_account,
    make_member,
    sign_in,
)


async def signed_in(client: httpx.AsyncClient) -> str:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY, phone="+13125550142")
    return await sign_in(client, "alice")


async def test_code_by_email_opens_the_step_up_window(client: httpx.AsyncClient) -> None:
    # given
    token = await signed_in(client)
    # when
    requested = await gql(client, REQUEST_STEP_UP, token=token)
    code = await last_code("alice@example.com")
    verified = await gql(client, VERIFY_STEP_UP, {"code": code}, token=token)
    # then
    assert requested["data"]["requestStepUpCode"]["errors"] == []
    assert requested["data"]["requestStepUpCode"]["challenge"]["sentTo"] == "a***@example.com"
    message = await last_message("alice@example.com", "CODE")
    assert f"\n{code}\n" in message.body
    payload = verified["data"]["verifyStepUp"]
    assert payload["errors"] == []
    assert payload["session"]["elevatedUntil"] is not None
    reused = await gql(client, VERIFY_STEP_UP, {"code": code}, token=token)
    assert reused["data"]["verifyStepUp"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]


async def test_five_wrong_tries_exhaust_the_code(client: httpx.AsyncClient) -> None:
    token = await signed_in(client)
    await gql(client, REQUEST_STEP_UP, token=token)
    code = await last_code("alice@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        body = await gql(client, VERIFY_STEP_UP, {"code": wrong}, token=token)
        assert body["data"]["verifyStepUp"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    # The fifth wrong code counts like a fifth wrong password: the member's counter locks.
    body = await gql(client, VERIFY_STEP_UP, {"code": wrong}, token=token)
    assert body["data"]["verifyStepUp"]["errors"] == [{"code": "ACCOUNT_LOCKED", "field": None}]
    body = await gql(client, VERIFY_STEP_UP, {"code": code}, token=token)
    assert body["data"]["verifyStepUp"]["errors"] == [{"code": "ACCOUNT_LOCKED", "field": None}]


async def test_expired_code_and_malformed_codes_are_refused(client: httpx.AsyncClient) -> None:
    token = await signed_in(client)
    await gql(client, REQUEST_STEP_UP, token=token)
    code = await last_code("alice@example.com")
    for bad in ["", "abcdef", "1" * 5000]:
        body = await gql(client, VERIFY_STEP_UP, {"code": bad}, token=token)
        assert body["data"]["verifyStepUp"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    await OneTimeToken.filter(purpose=TokenPurpose.STEP_UP).update(expires_at=utcnow() - timedelta(seconds=1))
    body = await gql(client, VERIFY_STEP_UP, {"code": code}, token=token)
    assert body["data"]["verifyStepUp"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]


async def test_code_is_bound_to_the_session_that_asked(client: httpx.AsyncClient) -> None:
    first = await signed_in(client)
    second = await sign_in(client, "alice")
    await gql(client, REQUEST_STEP_UP, token=first)
    code = await last_code("alice@example.com")
    body = await gql(client, VERIFY_STEP_UP, {"code": code}, token=second)
    assert body["data"]["verifyStepUp"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]


async def test_concurrent_verifications_of_one_code_elevate_once(client: httpx.AsyncClient) -> None:
    token = await signed_in(client)
    await gql(client, REQUEST_STEP_UP, token=token)
    code = await last_code("alice@example.com")
    bodies = await asyncio.gather(
        *(gql(client, VERIFY_STEP_UP, {"code": code}, token=token) for _ in range(3))
    )
    outcomes = sorted(len(b["data"]["verifyStepUp"]["errors"]) for b in bodies)
    assert outcomes == [0, 1, 1]


async def test_sms_code_needs_a_confirmed_phone(client: httpx.AsyncClient) -> None:
    token = await signed_in(client)
    body = await gql(
        client,
        "mutation { requestStepUpCode(channel: SMS) { challenge { sentTo channels } errors { code } } }",
        token=token,
    )
    assert body["data"]["requestStepUpCode"] == {
        "challenge": {"sentTo": "***0142", "channels": ["EMAIL", "SMS"]},
        "errors": [],
    }
    account = await make_account("Other")
    await make_member(account, "bob")
    bob = await sign_in(client, "bob")
    body = await gql(
        client,
        "mutation { requestStepUpCode(channel: SMS) { challenge { id } errors { code field } } }",
        token=bob,
    )
    assert body["data"]["requestStepUpCode"] == {
        "challenge": None,
        "errors": [{"code": "INVALID_CHANNEL", "field": "channel"}],
    }


async def test_step_up_needs_a_session_and_a_valid_channel(client: httpx.AsyncClient) -> None:
    body = await gql(client, REQUEST_STEP_UP)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    token = await signed_in(client)
    body = await gql(
        client, "mutation { requestStepUpCode(channel: PIGEON) { errors { code } } }", token=token
    )
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_the_window_closes_after_step_up_seconds(client: httpx.AsyncClient) -> None:
    token = await signed_in(client)
    await gql(client, REQUEST_STEP_UP, token=token)
    await gql(client, VERIFY_STEP_UP, {"code": await last_code("alice@example.com")}, token=token)
    session = await Session.get(revoked_at=None)
    assert session.elevated_until is not None
    window = (session.elevated_until - utcnow()).total_seconds()
    assert 590 < window <= 600
