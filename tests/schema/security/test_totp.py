"""TOTP: enrol with step-up, confirm with a code from the secret, disable with step-up; a code is
accepted within one step of drift and never twice, also when two requests race."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta
from urllib.parse import unquote

import httpx
import pyotp

from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from models.security.models import Session
from models.security.totp import accept_totp_code, new_secret
from tests.support import (
    VERIFY_STEP_UP,
    error_codes,
    gql,
    last_message,
    make_account,
    make_member,
    sign_in,
    step_up,
)

ENROLL = "mutation { enrollTotp { secret otpauthUri errors { code field } } }"
CONFIRM = "mutation($code: String!) { confirmTotp(code: $code) { ok errors { code field } } }"
DISABLE = "mutation { disableTotp { ok errors { code field } } }"
TWO_FACTOR = "{ me { twoFactorEnabled } }"
EMAIL = "alice@example.com"


async def signed_in(client: httpx.AsyncClient) -> str:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    return await sign_in(client, "alice")


async def enrolled(client: httpx.AsyncClient) -> tuple[str, str]:
    """A stepped-up session of alice and the pending secret enrollTotp returned."""
    token = await signed_in(client)
    await step_up(client, token, EMAIL)
    body = await gql(client, ENROLL, token=token)
    assert body["data"]["enrollTotp"]["errors"] == [], body
    secret: str = body["data"]["enrollTotp"]["secret"]
    return token, secret


async def enabled(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """Alice with TOTP on; also the code that confirmed it."""
    token, secret = await enrolled(client)
    code = pyotp.TOTP(secret).now()
    body = await gql(client, CONFIRM, {"code": code}, token=token)
    assert body["data"]["confirmTotp"] == {"ok": True, "errors": []}, body
    return token, secret, code


async def member_with_totp(username: str = "carol") -> tuple[Member, str]:
    account = await make_account()
    member = await make_member(account, username)
    secret = new_secret()
    await Member.filter(id=member.id).update(totp_secret=secret, totp_enabled_at=utcnow())
    return await Member.get(id=member.id), secret


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def wrong_code(secret: str) -> str:
    """A code that is none of the codes of the drift window."""
    now = utcnow()
    window = {code_at(secret, now + timedelta(seconds=30 * offset)) for offset in range(-2, 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in window)


async def test_enrol_needs_step_up_and_returns_secret_and_uri(client: httpx.AsyncClient) -> None:
    # given
    token = await signed_in(client)
    # when
    refused = await gql(client, ENROLL, token=token)
    await step_up(client, token, EMAIL)
    body = await gql(client, ENROLL, token=token)
    # then
    assert error_codes(refused) == ["STEP_UP_REQUIRED"]
    payload = body["data"]["enrollTotp"]
    assert payload["errors"] == []
    secret = payload["secret"]
    assert len(base64.b32decode(secret)) >= 16
    uri = unquote(payload["otpauthUri"])
    assert uri.startswith("otpauth://totp/Account Gateway:alice?")
    assert f"secret={secret}" in uri
    assert "issuer=Account Gateway" in uri
    assert (await gql(client, TWO_FACTOR, token=token))["data"]["me"] == {"twoFactorEnabled": False}
    assert await ActivityEvent.filter(kind="TOTP_ENROLLMENT_STARTED", ip_address="203.0.113.7").count() == 1


async def test_confirm_with_wrong_then_right_code_turns_it_on(client: httpx.AsyncClient) -> None:
    # given
    token, secret = await enrolled(client)
    # when
    wrong = await gql(client, CONFIRM, {"code": wrong_code(secret)}, token=token)
    right = await gql(client, CONFIRM, {"code": pyotp.TOTP(secret).now()}, token=token)
    # then
    assert wrong["data"]["confirmTotp"] == {
        "ok": False,
        "errors": [{"code": "INVALID_CODE", "field": "code"}],
    }
    assert right["data"]["confirmTotp"] == {"ok": True, "errors": []}
    assert (await gql(client, TWO_FACTOR, token=token))["data"]["me"] == {"twoFactorEnabled": True}
    event = await ActivityEvent.get(kind="TOTP_ENABLED")
    assert event.ip_address == "203.0.113.7"
    notice = await last_message(EMAIL, "TOTP_ENABLED")
    assert notice.subject == "Two-factor sign-in is on"


async def test_the_confirming_code_is_never_accepted_again(client: httpx.AsyncClient) -> None:
    # given
    token, _secret, code = await enabled(client)
    member = await Member.get(username="alice")
    # when
    again = await gql(client, CONFIRM, {"code": code}, token=token)
    stepped = await gql(client, VERIFY_STEP_UP, {"code": code}, token=token)
    # then
    assert again["data"]["confirmTotp"]["errors"] == [{"code": "TOTP_ALREADY_ENABLED", "field": None}]
    assert stepped["data"]["verifyStepUp"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    assert await accept_totp_code(member, code) is False


async def test_a_fresh_totp_code_steps_the_session_up(client: httpx.AsyncClient) -> None:
    # given: the next step's code is within the allowed drift and not used yet
    token, secret, _code = await enabled(client)
    # when
    body = await gql(
        client, VERIFY_STEP_UP, {"code": code_at(secret, utcnow() + timedelta(seconds=30))}, token=token
    )
    # then
    assert body["data"]["verifyStepUp"]["errors"] == []
    assert body["data"]["verifyStepUp"]["session"]["elevatedUntil"] is not None


async def test_one_step_of_drift_is_accepted_once_and_two_steps_are_not() -> None:
    # given
    member, secret = await member_with_totp()
    now = utcnow()
    # when
    previous_step = [await accept_totp_code(member, code_at(secret, now - timedelta(seconds=30)), at=now)]
    previous_step.append(await accept_totp_code(member, code_at(secret, now - timedelta(seconds=30)), at=now))
    current = await accept_totp_code(member, code_at(secret, now), at=now)
    older_after_newer = await accept_totp_code(member, code_at(secret, now - timedelta(seconds=30)), at=now)
    other, other_secret = await member_with_totp("dave")
    two_back = await accept_totp_code(other, code_at(other_secret, now - timedelta(seconds=60)), at=now)
    two_ahead = await accept_totp_code(other, code_at(other_secret, now + timedelta(seconds=60)), at=now)
    one_ahead = await accept_totp_code(other, code_at(other_secret, now + timedelta(seconds=30)), at=now)
    # then
    assert previous_step == [True, False]
    assert current is True
    assert older_after_newer is False
    assert (two_back, two_ahead, one_ahead) == (False, False, True)
    assert (await Member.get(id=member.id)).totp_last_step == pyotp.TOTP(secret).timecode(now)
    assert member.totp_last_step == pyotp.TOTP(secret).timecode(now)


async def test_two_racing_requests_with_one_code_are_accepted_once() -> None:
    # given: two requests each loaded the member before either used the code
    member, secret = await member_with_totp()
    first, second = await Member.get(id=member.id), await Member.get(id=member.id)
    code = pyotp.TOTP(secret).now()
    # when
    outcomes = await asyncio.gather(accept_totp_code(first, code), accept_totp_code(second, code))
    # then
    assert sorted(outcomes) == [False, True]


async def test_pending_and_enabled_secrets_answer_only_their_own_check() -> None:
    member, secret = await member_with_totp()
    code = pyotp.TOTP(secret).now()
    assert await accept_totp_code(member, code, pending=True) is False
    await Member.filter(id=member.id).update(totp_enabled_at=None)
    member = await Member.get(id=member.id)
    assert await accept_totp_code(member, code) is False
    assert await accept_totp_code(member, code, pending=True) is True


async def test_malformed_codes_are_refused(client: httpx.AsyncClient) -> None:
    # given
    token, secret = await enrolled(client)
    member = await Member.get(username="alice")
    # when
    bodies = [
        await gql(client, CONFIRM, {"code": bad}, token=token)
        # four: the fifth wrong code would lock, as a fifth wrong password does
        for bad in ["", "1234567", "1" * 5000, " " + pyotp.TOTP(secret).now()]
    ]
    # then
    for body in bodies:
        assert body["data"]["confirmTotp"] == {
            "ok": False,
            "errors": [{"code": "INVALID_CODE", "field": "code"}],
        }
    assert await accept_totp_code(member, "12345a", pending=True) is False
    assert await accept_totp_code(member, "١٢٣٤٥٦", pending=True) is False
    assert (await Member.get(id=member.id)).totp_enabled_at is None


async def test_confirm_without_enrolment_is_refused(client: httpx.AsyncClient) -> None:
    token = await signed_in(client)
    body = await gql(client, CONFIRM, {"code": "123456"}, token=token)
    assert body["data"]["confirmTotp"] == {
        "ok": False,
        "errors": [{"code": "TOTP_NOT_ENROLLED", "field": None}],
    }


async def test_enrol_when_enabled_is_refused(client: httpx.AsyncClient) -> None:
    # given
    token, secret, _code = await enabled(client)
    # when
    body = await gql(client, ENROLL, token=token)
    # then
    assert body["data"]["enrollTotp"] == {
        "secret": None,
        "otpauthUri": None,
        "errors": [{"code": "TOTP_ALREADY_ENABLED", "field": None}],
    }
    assert (await Member.get(username="alice")).totp_secret == secret


async def test_disable_needs_step_up_then_turns_it_off(client: httpx.AsyncClient) -> None:
    # given: the step-up window of the session has closed
    token, secret, _code = await enabled(client)
    await Session.filter(member__username="alice").update(elevated_until=None)
    # when
    refused = await gql(client, DISABLE, token=token)
    await step_up(client, token, EMAIL)
    body = await gql(client, DISABLE, token=token)
    again = await gql(client, DISABLE, token=token)
    # then
    assert error_codes(refused) == ["STEP_UP_REQUIRED"]
    assert body["data"]["disableTotp"] == {"ok": True, "errors": []}
    assert again["data"]["disableTotp"] == {
        "ok": False,
        "errors": [{"code": "TOTP_NOT_ENROLLED", "field": None}],
    }
    assert (await gql(client, TWO_FACTOR, token=token))["data"]["me"] == {"twoFactorEnabled": False}
    member = await Member.get(username="alice")
    assert (member.totp_secret, member.totp_enabled_at, member.totp_last_step) == (None, None, None)
    assert await accept_totp_code(member, pyotp.TOTP(secret).now()) is False
    assert await ActivityEvent.filter(kind="TOTP_DISABLED", ip_address="203.0.113.7").count() == 1
    notice = await last_message(EMAIL, "TOTP_DISABLED")
    assert notice.subject == "Two-factor sign-in is off"


async def test_disable_when_not_enrolled_is_refused(client: httpx.AsyncClient) -> None:
    token = await signed_in(client)
    await step_up(client, token, EMAIL)
    body = await gql(client, DISABLE, token=token)
    assert body["data"]["disableTotp"] == {
        "ok": False,
        "errors": [{"code": "TOTP_NOT_ENROLLED", "field": None}],
    }
    assert await OutboxMessage.filter(kind="TOTP_DISABLED").count() == 0
    assert await ActivityEvent.filter(kind="TOTP_DISABLED").count() == 0


async def test_two_factor_needs_a_session(client: httpx.AsyncClient) -> None:
    for document, variables in [(ENROLL, None), (CONFIRM, {"code": "123456"}), (DISABLE, None)]:
        body = await gql(client, document, variables)
        assert error_codes(body) == ["UNAUTHENTICATED"]
        assert body["data"] is None
