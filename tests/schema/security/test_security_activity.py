"""Every security event of the sign-in lifecycle shows in account.activity with its kind, actor and IP;
and TOTP answers a sign-in challenge."""

from __future__ import annotations

import httpx
import pyotp

from models.access import Role
from models.db.clock import utcnow
from models.members.models import Member
from tests.support import (
    OTHER_STRONG_PASSWORD,
    SIGN_IN,
    STRONG_PASSWORD,
    carry_out_reset_requests,
    gql,
    last_message,
    make_account,
    make_member,
    sign_in,
    sign_in_with_code,
    step_up,
    token_in,
)

ACTIVITY = "{ account { activity(first: 100) { edges { node { kind ipAddress actor { username } } } } } }"
VERIFY = """
mutation($input: VerifySignInInput!) { verifySignIn(input: $input) { token errors { code field } } }
"""


async def fail(client: httpx.AsyncClient, username: str, times: int, device: str = "stranger") -> None:
    for _ in range(times):
        await gql(
            client, SIGN_IN, {"input": {"username": username, "password": "nope nope", "deviceId": device}}
        )


async def test_the_security_lifecycle_is_in_the_activity_log(client: httpx.AsyncClient) -> None:
    # given a primary and a member who gets locked, unlocks, is alerted, secures, resets and changes password
    account = await make_account()
    await make_member(account, "boss", role=Role.PRIMARY)
    await make_member(account, "alice", role=Role.MANAGER)
    await fail(client, "alice", 5)
    unlock_link = token_in((await last_message("alice@example.com", "LOCKOUT")).body)
    await gql(client, "mutation($t: String!) { unlockMember(token: $t) { ok } }", {"t": unlock_link})
    # recent failures make a new device answer a challenge
    token = await sign_in_with_code(client, "alice", deviceId="phone")
    await step_up(client, token, "alice@example.com")
    secure_link = token_in((await last_message("alice@example.com", "NEW_SIGN_IN")).body)
    await gql(client, "mutation($t: String!) { secureAccount(token: $t) { ok } }", {"t": secure_link})
    await gql(client, 'mutation { requestPasswordReset(input: {login: "alice"}) { ok } }')
    await carry_out_reset_requests()
    reset_link = token_in((await last_message("alice@example.com", "PASSWORD_RESET_LINK")).body)
    reset = await gql(
        client,
        "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { ok errors { code } } }",
        {"i": {"token": reset_link, "newPassword": OTHER_STRONG_PASSWORD, "securityAnswer": "rex"}},
    )
    assert reset["data"]["resetPassword"] == {"ok": True, "errors": []}
    # when the primary reads the log
    boss = await sign_in(client, "boss")
    body = await gql(client, ACTIVITY, token=boss)
    # then each event is there, by alice, from the test client's address
    events = [edge["node"] for edge in body["data"]["account"]["activity"]["edges"]]
    by_alice = {
        e["kind"] for e in events if e["actor"] == {"username": "alice"} and e["ipAddress"] == "203.0.113.7"
    }
    expected = {
        "SIGN_IN_FAILED",
        "MEMBER_LOCKED",
        "MEMBER_UNLOCKED",
        "SIGN_IN_CHALLENGED",
        "SIGN_IN",
        "NEW_DEVICE_ALERT",
        "STEP_UP_REQUESTED",
        "STEP_UP_VERIFIED",
        "ACCOUNT_SECURED",
        "PASSWORD_RESET_REQUESTED",
        "PASSWORD_RESET",
    }
    assert expected <= by_alice, expected - by_alice


async def test_totp_answers_the_challenge_of_a_new_device(client: httpx.AsyncClient) -> None:
    # given alice with TOTP enabled
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    secret = pyotp.random_base32()
    await Member.filter(id=member.id).update(totp_secret=secret, totp_enabled_at=utcnow())
    # when she signs in from a new device with the right password
    body = await gql(
        client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD, "deviceId": "new"}}
    )
    payload = body["data"]["signIn"]
    # then a challenge that only TOTP answers: no code was sent
    assert payload["token"] is None
    assert payload["challenge"]["channels"] == ["TOTP"]
    assert payload["challenge"]["sentTo"] is None
    challenge_id = payload["challenge"]["id"]
    wrong = await gql(client, VERIFY, {"input": {"challengeId": challenge_id, "code": "000000"}})
    assert wrong["data"]["verifySignIn"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    right = await gql(
        client, VERIFY, {"input": {"challengeId": challenge_id, "code": pyotp.TOTP(secret).now()}}
    )
    assert right["data"]["verifySignIn"]["errors"] == []
    assert (await gql(client, "{ me { username } }", token=right["data"]["verifySignIn"]["token"]))["data"][
        "me"
    ] == {"username": "alice"}
