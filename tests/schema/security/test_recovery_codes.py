"""Recovery codes: ten single-use codes, made after a step-up, shown once, kept as hashes; each answers
a step-up or a sign-in challenge once (through the guard), e-mails and logs its use, and with a reset's
security answer turns two-factor sign-in off."""

from __future__ import annotations

import asyncio

import httpx

from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member
from models.security.models import RecoveryCode
from models.security.totp import new_secret
from tests.support import (
    OTHER_STRONG_PASSWORD,
    SIGN_IN,
    VERIFY_SIGN_IN,
    VERIFY_STEP_UP,
    carry_out_reset_requests,
    gql,
    last_message,
    make_account,
    make_member,
    sign_in,
    step_up,
    token_in,
)

GENERATE = "mutation { generateRecoveryCodes { codes errors { code field } } }"
REMAINING = "{ me { recoveryCodesRemaining } }"
INVALID_CODE = [{"code": "INVALID_CODE", "field": "code"}]
REQUEST_RESET = """
mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { ok errors { code } } }
"""
RESET = """
mutation($input: ResetPasswordInput!) {
  resetPassword(input: $input) { ok errors { code field message } }
}
"""


async def stepped_up(client: httpx.AsyncClient) -> str:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    await step_up(client, token, "alice@example.com")
    return token


async def generated(client: httpx.AsyncClient, token: str) -> list[str]:
    body = await gql(client, GENERATE, token=token)
    assert body["data"]["generateRecoveryCodes"]["errors"] == [], body
    codes: list[str] = body["data"]["generateRecoveryCodes"]["codes"]
    return codes


async def remaining(client: httpx.AsyncClient, token: str) -> int:
    body = await gql(client, REMAINING, token=token)
    count: int = body["data"]["me"]["recoveryCodesRemaining"]
    return count


async def kinds(kind: str) -> list[str]:
    return [event.summary for event in await ActivityEvent.filter(kind=kind).order_by("id")]


async def test_codes_need_a_step_up_and_are_shown_once_and_stored_as_hashes(
    client: httpx.AsyncClient,
) -> None:
    # given a member signed in without a step-up
    account = await make_account()
    await make_member(account, "alice")
    token = await sign_in(client, "alice")
    # when they ask before and after stepping up
    before = await gql(client, GENERATE, token=token)
    await step_up(client, token, "alice@example.com")
    codes = await generated(client, token)
    # then
    assert before["errors"][0]["extensions"]["code"] == "STEP_UP_REQUIRED"
    assert before["data"] is None
    assert len(set(codes)) == 10
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    stored = {row.code_hash for row in await RecoveryCode.all()}
    assert len(stored) == 10
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)
    assert await remaining(client, token) == 10
    message = await last_message("alice@example.com", "RECOVERY_CODES_GENERATED")
    assert not any(code in message.body for code in codes)
    assert await kinds("RECOVERY_CODES_GENERATED") == ["Alice made a new set of recovery codes"]


async def test_a_code_steps_up_once_and_each_use_is_mailed_and_logged(client: httpx.AsyncClient) -> None:
    # given ten codes
    token = await stepped_up(client)
    codes = await generated(client, token)
    # when the first is used twice (typed in capitals with spaces), then the second once
    first = await gql(client, VERIFY_STEP_UP, {"code": f" {codes[0].upper()} "}, token=token)
    again = await gql(client, VERIFY_STEP_UP, {"code": codes[0]}, token=token)
    second = await gql(client, VERIFY_STEP_UP, {"code": codes[1].replace("-", "")}, token=token)
    # then
    assert first["data"]["verifyStepUp"]["errors"] == []
    assert first["data"]["verifyStepUp"]["session"]["elevatedUntil"] is not None
    assert again["data"]["verifyStepUp"]["errors"] == INVALID_CODE
    assert second["data"]["verifyStepUp"]["errors"] == []
    assert await remaining(client, token) == 8
    message = await last_message("alice@example.com", "RECOVERY_CODE_USED")
    assert "8 of 10 remain" in message.body
    assert await kinds("RECOVERY_CODE_USED") == [
        "Alice used a recovery code (9 remain)",
        "Alice used a recovery code (8 remain)",
    ]
    assert await kinds("RECOVERY_CODE_FAILED") == ["A wrong or used recovery code was given for alice"]


async def test_racing_uses_of_one_code_succeed_once(client: httpx.AsyncClient) -> None:
    # given a code
    token = await stepped_up(client)
    code = (await generated(client, token))[0]
    # when four requests race with it
    bodies = await asyncio.gather(
        *(gql(client, VERIFY_STEP_UP, {"code": code}, token=token) for _ in range(4))
    )
    # then exactly one steps up, one e-mail and one activity row
    outcomes = sorted(len(body["data"]["verifyStepUp"]["errors"]) for body in bodies)
    assert outcomes == [0, 1, 1, 1]
    assert await remaining(client, token) == 9
    assert len(await kinds("RECOVERY_CODE_USED")) == 1


async def test_a_new_set_voids_the_old_one(client: httpx.AsyncClient) -> None:
    # given two sets, one after the other
    token = await stepped_up(client)
    old = await generated(client, token)
    new = await generated(client, token)
    # when an old code and a new one are tried
    with_old = await gql(client, VERIFY_STEP_UP, {"code": old[0]}, token=token)
    with_new = await gql(client, VERIFY_STEP_UP, {"code": new[0]}, token=token)
    # then
    assert with_old["data"]["verifyStepUp"]["errors"] == INVALID_CODE
    assert with_new["data"]["verifyStepUp"]["errors"] == []
    assert await RecoveryCode.all().count() == 10
    assert await remaining(client, token) == 9


async def test_wrong_codes_count_in_the_guard_like_wrong_passwords(client: httpx.AsyncClient) -> None:
    # given a member with codes
    token = await stepped_up(client)
    codes = await generated(client, token)
    # when five wrong recovery codes are tried
    answers = [
        (await gql(client, VERIFY_STEP_UP, {"code": "abcde-fghjk"}, token=token))["data"]["verifyStepUp"]
        for _ in range(5)
    ]
    right = await gql(client, VERIFY_STEP_UP, {"code": codes[0]}, token=token)
    # then the fifth locks the member, and a right code is refused while locked
    assert [answer["errors"] for answer in answers[:4]] == [INVALID_CODE] * 4
    assert answers[4]["errors"] == [{"code": "ACCOUNT_LOCKED", "field": None}]
    assert right["data"]["verifyStepUp"]["errors"] == [{"code": "ACCOUNT_LOCKED", "field": None}]
    assert len(await kinds("RECOVERY_CODE_FAILED")) == 5
    assert await remaining(client, token) == 10


async def test_a_code_answers_a_totp_members_sign_in_challenge(client: httpx.AsyncClient) -> None:
    # given a member with codes who then turns TOTP on (and so is challenged on a new device)
    token = await stepped_up(client)
    code = (await generated(client, token))[0]
    await Member.filter(username="alice").update(totp_secret=new_secret(), totp_enabled_at=utcnow())
    body = await gql(
        client,
        SIGN_IN,
        {
            "input": {
                "username": "alice",
                "password": "correct horse battery staple 42",
                "deviceId": "lost-phone",
            }
        },
    )
    challenge = body["data"]["signIn"]["challenge"]
    # when the challenge is answered with the recovery code, then again
    answered = await gql(client, VERIFY_SIGN_IN, {"input": {"challengeId": challenge["id"], "code": code}})
    replayed = await gql(client, VERIFY_SIGN_IN, {"input": {"challengeId": challenge["id"], "code": code}})
    # then a session once
    assert challenge["channels"] == ["TOTP"]
    assert answered["data"]["verifySignIn"]["errors"] == []
    assert answered["data"]["verifySignIn"]["token"]
    assert replayed["data"]["verifySignIn"]["errors"] == INVALID_CODE
    assert await kinds("RECOVERY_CODE_USED") == ["Alice used a recovery code (9 remain)"]


async def test_a_reset_with_a_code_turns_two_factor_off_and_without_one_says_how(
    client: httpx.AsyncClient,
) -> None:
    # given a TOTP member with codes, and a reset link
    token = await stepped_up(client)
    code = (await generated(client, token))[0]
    await Member.filter(username="alice").update(totp_secret=new_secret(), totp_enabled_at=utcnow())
    await gql(client, REQUEST_RESET, {"input": {"login": "alice"}})
    await carry_out_reset_requests()
    link = token_in((await last_message("alice@example.com", "PASSWORD_RESET_LINK")).body)
    inputs = {"token": link, "newPassword": OTHER_STRONG_PASSWORD, "securityAnswer": "Rex"}
    # when the reset asks to turn two-factor off without a code, with a wrong one, then with a right one
    without = await gql(client, RESET, {"input": {**inputs, "turnOffTwoFactor": True}})
    wrong = await gql(
        client, RESET, {"input": {**inputs, "turnOffTwoFactor": True, "recoveryCode": "abcde-fghjk"}}
    )
    right = await gql(client, RESET, {"input": {**inputs, "turnOffTwoFactor": True, "recoveryCode": code}})
    # then
    [needs] = without["data"]["resetPassword"]["errors"]
    assert (needs["code"], needs["field"]) == ("RECOVERY_CODE_REQUIRED", "recoveryCode")
    assert "customer support" in needs["message"]
    assert [(e["code"], e["field"]) for e in wrong["data"]["resetPassword"]["errors"]] == [
        ("INVALID_CODE", "recoveryCode")
    ]
    assert right["data"]["resetPassword"] == {"ok": True, "errors": []}
    member = await Member.get(username="alice")
    assert (member.totp_enabled_at, member.totp_secret) == (None, None)
    assert await RecoveryCode.filter(used_at=None).count() == 9
    assert await kinds("TOTP_DISABLED") == [
        "Alice turned off two-factor sign-in with a reset and a recovery code"
    ]
    assert await kinds("RECOVERY_CODE_FAILED") == [
        "A password reset for alice gave a wrong or used recovery code"
    ]
