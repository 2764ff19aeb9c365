"""Every secret a caller supplies goes through one guard: wrong ones count per member (across
challenges, codes and re-requests), per IP address and in the activity log, and the member's lock is
taken before the secret is checked, so parallel guesses verify at most the threshold."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pyotp
import pytest

from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from models.security.lockout import SignInThrottle
from models.security.passwords import Passwords
from tests.support import (
    OTHER_STRONG_PASSWORD,
    REQUEST_STEP_UP,
    SIGN_IN,
    STRONG_PASSWORD,
    VERIFY_SIGN_IN,
    VERIFY_STEP_UP,
    error_codes,
    gql,
    invited,
    last_code,
    make_account,
    make_member,
    sign_in,
    step_up,
)

CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) { changePassword(input: $input) { ok errors { code field } } }
"""
UPDATE_EMAIL = "mutation($e: String!) { updateProfile(input: {email: $e}) { errors { code } } }"
CONFIRM_CONTACT = "mutation($c: String!) { confirmContactChange(code: $c) { errors { code field } } }"
STATUS = "{ account { members { edges { node { username status } } } } }"


async def totp_member(username: str = "alice") -> tuple[Member, pyotp.TOTP]:
    account = await make_account()
    member = await make_member(account, username, role=Role.PRIMARY)
    secret = pyotp.random_base32()
    await Member.filter(id=member.id).update(totp_secret=secret, totp_enabled_at=utcnow())
    return member, pyotp.TOTP(secret)


def wrong_totp(totp: pyotp.TOTP) -> str:
    valid = {totp.at(utcnow().timestamp() + drift * 30) for drift in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(1000)) if code not in valid)


async def sign_in_payload(client: httpx.AsyncClient, username: str, password: str, device: str) -> Any:
    body = await gql(
        client, SIGN_IN, {"input": {"username": username, "password": password, "deviceId": device}}
    )
    return body["data"]["signIn"]


async def verify(client: httpx.AsyncClient, challenge_id: str, code: str) -> list[str]:
    body = await gql(client, VERIFY_SIGN_IN, {"input": {"challengeId": challenge_id, "code": code}})
    return [error["code"] for error in body["data"]["verifySignIn"]["errors"]]


async def lockout_mails(email: str) -> int:
    return await OutboxMessage.filter(recipient=email, kind="LOCKOUT").count()


async def test_wrong_challenge_codes_count_across_challenges_and_lock(client: httpx.AsyncClient) -> None:
    # given a TOTP member whose password a stranger holds, signing in from a new device
    member, totp = await totp_member()
    wrong = wrong_totp(totp)
    outcomes: list[str] = []
    # when each fresh challenge (a correct-password signIn) gets two wrong codes, three times over
    for _ in range(3):
        payload = await sign_in_payload(client, "alice", STRONG_PASSWORD, "stranger")
        if payload["challenge"] is None:
            outcomes.extend(error["code"] for error in payload["errors"])
            continue
        for _ in range(2):
            outcomes.extend(await verify(client, payload["challenge"]["id"], wrong))
    # then the fifth wrong code locks the member, a fresh challenge is refused, and the lock is e-mailed
    assert outcomes == ["INVALID_CODE"] * 4 + ["ACCOUNT_LOCKED", "ACCOUNT_LOCKED"]
    again = await sign_in_payload(client, "alice", STRONG_PASSWORD, "stranger")
    assert error_codes_of(again) == ["ACCOUNT_LOCKED"]
    assert await lockout_mails(member.email) == 1
    failed = await ActivityEvent.filter(actor_id=member.id, kind="SIGN_IN_CHALLENGE_FAILED").count()
    assert failed == 5
    status = await gql(client, STATUS, token=await sign_in_on_a_familiar_device_after_unlock(client))
    assert {"username": "alice", "status": "ACTIVE"} in [
        e["node"] for e in status["data"]["account"]["members"]["edges"]
    ]


def error_codes_of(payload: Any) -> list[str]:
    return [error["code"] for error in payload["errors"]]


async def sign_in_on_a_familiar_device_after_unlock(client: httpx.AsyncClient) -> str:
    await SignInThrottle.all().update(locked_until=None, failures=0)
    await Member.filter(username="alice").update(locked_until=None, totp_enabled_at=None)
    return await sign_in(client, "alice", deviceId="stranger")


async def test_the_right_code_after_the_lock_does_not_sign_in(client: httpx.AsyncClient) -> None:
    # given a challenge with four wrong codes, and a fifth failure elsewhere (a wrong password)
    _member, totp = await totp_member()
    payload = await sign_in_payload(client, "alice", STRONG_PASSWORD, "stranger")
    for _ in range(4):
        await verify(client, payload["challenge"]["id"], wrong_totp(totp))
    locked = await sign_in_payload(client, "alice", "wrong password 1", "stranger")
    assert error_codes_of(locked) == ["ACCOUNT_LOCKED"]
    # when the right code answers the challenge
    outcome = await verify(client, payload["challenge"]["id"], totp.now())
    # then it is refused: the member is locked
    assert outcome == ["ACCOUNT_LOCKED"]


async def test_wrong_challenge_codes_count_for_the_address(client: httpx.AsyncClient) -> None:
    # given many members' challenges guessed from one address
    outcomes: list[str] = []
    for index in range(5):
        _member, totp = await totp_member(f"member{index}")
        payload = await sign_in_payload(client, f"member{index}", STRONG_PASSWORD, "stranger")
        for _ in range(4):
            outcomes.extend(await verify(client, payload["challenge"]["id"], wrong_totp(totp)))
    # when a twenty-first guess comes from the address
    body = await gql(client, VERIFY_SIGN_IN, {"input": {"challengeId": "Q2hhbGxlbmdlOjE=", "code": "000000"}})
    # then the first twenty were counted and the address is throttled
    assert outcomes == ["INVALID_CODE"] * 20
    assert error_codes(body) == ["RATE_LIMITED"]


async def test_step_up_codes_are_capped_and_wrong_ones_count_across_re_requests(
    client: httpx.AsyncClient,
) -> None:
    # given a signed-in member
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    outcomes: list[str] = []
    # when each fresh code gets two wrong guesses
    for _ in range(3):
        body = await gql(client, REQUEST_STEP_UP, token=token)
        assert body["data"]["requestStepUpCode"]["errors"] == [], body
        code = await last_code(member.email)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(2):
            body = await gql(client, VERIFY_STEP_UP, {"code": wrong}, token=token)
            outcomes.extend(e["code"] for e in body["data"]["verifyStepUp"]["errors"])
    # then the fifth wrong one locks (the right one is refused too), and the lock is e-mailed
    assert outcomes == ["INVALID_CODE"] * 4 + ["ACCOUNT_LOCKED"] * 2
    body = await gql(client, VERIFY_STEP_UP, {"code": await last_code(member.email)}, token=token)
    assert body["data"]["verifyStepUp"]["errors"] == [{"code": "ACCOUNT_LOCKED", "field": None}]
    assert await lockout_mails(member.email) == 1
    # and after three more requests (five in all within 15 minutes) no more codes are sent
    for _ in range(2):
        await gql(client, REQUEST_STEP_UP, token=token)
    sent = await OutboxMessage.filter(recipient=member.email, kind="CODE").count()
    body = await gql(client, REQUEST_STEP_UP, token=token)
    assert error_codes(body) == ["RATE_LIMITED"]
    assert await OutboxMessage.filter(recipient=member.email, kind="CODE").count() == sent == 5


async def test_wrong_current_passwords_count_and_lock(client: httpx.AsyncClient) -> None:
    # given a signed-in member
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice", deviceId="laptop")
    wrong = {"currentPassword": "not my password at all", "newPassword": OTHER_STRONG_PASSWORD}
    # when five password changes give a wrong current password
    outcomes = []
    for _ in range(5):
        body = await gql(client, CHANGE_PASSWORD, {"input": wrong}, token=token)
        outcomes.extend(e["code"] for e in body["data"]["changePassword"]["errors"])
    # then the fifth locks, the right one is refused, it is logged and e-mailed
    assert outcomes == ["INVALID_CREDENTIALS"] * 4 + ["ACCOUNT_LOCKED"]
    right = {"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD}
    body = await gql(client, CHANGE_PASSWORD, {"input": right}, token=token)
    assert body["data"]["changePassword"]["errors"] == [{"code": "ACCOUNT_LOCKED", "field": None}]
    assert await ActivityEvent.filter(actor_id=member.id, kind="PASSWORD_CHANGE_FAILED").count() == 5
    assert await lockout_mails(member.email) == 1


async def test_wrong_contact_codes_count_across_re_requests(client: httpx.AsyncClient) -> None:
    # given a stepped-up member changing their e-mail
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    await step_up(client, token, member.email)
    outcomes: list[str] = []
    # when each of three fresh codes gets two wrong guesses
    for round_ in range(3):
        new_email = f"alice.{round_}@example.net"
        body = await gql(client, UPDATE_EMAIL, {"e": new_email}, token=token)
        assert body["data"]["updateProfile"]["errors"] == [], body
        code = await last_code(new_email)
        for _ in range(2):
            body = await gql(
                client, CONFIRM_CONTACT, {"c": f"{(int(code) + 1) % 1_000_000:06d}"}, token=token
            )
            outcomes.extend(e["code"] for e in body["data"]["confirmContactChange"]["errors"])
    # then the fifth wrong code locks
    assert outcomes == ["INVALID_CODE"] * 4 + ["ACCOUNT_LOCKED"] * 2
    assert await ActivityEvent.filter(actor_id=member.id, kind="CONTACT_CHANGE_FAILED").count() == 5


async def test_a_differently_cased_login_locks_its_member_visibly(client: httpx.AsyncClient) -> None:
    # given alice, and a stranger typing her name in capitals
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    # when five wrong passwords are given for "ALICE"
    outcomes = []
    for _ in range(5):
        payload = await sign_in_payload(client, "ALICE", "wrong password 1", "stranger")
        outcomes.extend(error_codes_of(payload))
    # then alice is locked for new devices, told by e-mail with an unlock link, and it is logged
    assert outcomes == ["INVALID_CREDENTIALS"] * 4 + ["ACCOUNT_LOCKED"]
    assert error_codes_of(await sign_in_payload(client, "alice", STRONG_PASSWORD, "other")) == [
        "ACCOUNT_LOCKED"
    ]
    assert await lockout_mails(alice.email) == 1
    assert await ActivityEvent.filter(actor_id=alice.id, kind="MEMBER_LOCKED").count() == 1
    assert await ActivityEvent.filter(actor_id=alice.id, kind="SIGN_IN_FAILED").count() == 5
    assert (await Member.get(id=alice.id)).locked_until is not None
    # and "ALICE" still never signs in with alice's password (credentials are case-sensitive)
    await SignInThrottle.all().update(locked_until=None, failures=0)
    assert error_codes_of(await sign_in_payload(client, "ALICE", STRONG_PASSWORD, "x")) == [
        "INVALID_CREDENTIALS"
    ]


@pytest.mark.parametrize("prior_failures", [0, 4])
async def test_parallel_guesses_verify_at_most_the_threshold(
    client: httpx.AsyncClient, passwords: Passwords, monkeypatch: pytest.MonkeyPatch, prior_failures: int
) -> None:
    # given alice, some failures already, and a count of the passwords actually verified
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    for _ in range(prior_failures):
        await sign_in_payload(client, "alice", "wrong password 1", "stranger")
    verified: list[str] = []
    real_verify = passwords.verify

    async def counting_verify(stored_hash: str | None, secret: str) -> bool:
        verified.append(secret)
        return await real_verify(stored_hash, secret)

    monkeypatch.setattr(passwords, "verify", counting_verify)
    # when 50 wrong guesses and the right password arrive at once
    guesses = [f"wrong password {n}" for n in range(50)] + [STRONG_PASSWORD]
    payloads = await asyncio.gather(
        *(sign_in_payload(client, "alice", guess, "stranger") for guess in guesses)
    )
    # then at most the threshold's worth were verified, the member locked once, and nothing signed in
    # after the lock: the right password either signed in before it or was refused
    assert len(verified) <= 5 - prior_failures
    assert await lockout_mails(alice.email) == 1
    assert sum(1 for payload in payloads if payload["token"]) <= 1
    if payloads[-1]["token"]:
        assert STRONG_PASSWORD in verified


async def test_taken_usernames_on_an_activation_link_are_throttled(client: httpx.AsyncClient) -> None:
    # given an invitation, and a stranger trying usernames with its link
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    for name in ("bob", "carol", "dave", "erin", "frank"):
        await make_member(account, name)
    _invitee, token = await invited(account)
    activate = """
    mutation($input: ActivateMemberInput!) { activateMember(input: $input) { token errors { code field } } }
    """

    async def attempt(username: str) -> list[str]:
        variables = {
            "input": {
                "token": token,
                "username": username,
                "password": STRONG_PASSWORD,
                "securityQuestion": "First pet?",
                "securityAnswer": "Rex",
            }
        }
        body = await gql(client, activate, variables)
        return [error["code"] for error in body["data"]["activateMember"]["errors"]]

    # when five taken usernames are tried, then a sixth, then a free one
    outcomes = [code for name in ("bob", "carol", "dave", "erin", "frank") for code in await attempt(name)]
    sixth = await attempt("alice")
    free = await attempt("zelda")
    # then the fifth taken one locks the link's probing: later taken ones no longer say so
    assert outcomes == ["USERNAME_TAKEN"] * 4 + ["ACCOUNT_LOCKED"]
    assert sixth == ["ACCOUNT_LOCKED"]
    # while the invitee can still activate with a free username
    assert free == []
