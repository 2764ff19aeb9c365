"""The security review's High findings, tried from outside as the review did: a started `gateway serve`,
plain HTTP, and the e-mails its worker writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pyotp

from tests.blackbox import Server, body_of, started_gateway

PASSWORD = "correct horse battery staple 42"
ACTIVATE = """
mutation($input: ActivateMemberInput!) { activateMember(input: $input) { token errors { code } } }
"""
REQUEST_STEP_UP = "mutation { requestStepUpCode { errors { code } } }"
VERIFY_STEP_UP = "mutation($code: String!) { verifyStepUp(code: $code) { errors { code } } }"
ENROLL = "mutation { enrollTotp { secret errors { code } } }"
CONFIRM = "mutation($code: String!) { confirmTotp(code: $code) { ok errors { code } } }"
SIGN_IN = """
mutation($input: SignInInput!) { signIn(input: $input) { token challenge { id } errors { code } } }
"""
VERIFY_SIGN_IN = """
mutation($input: VerifySignInInput!) { verifySignIn(input: $input) { token errors { code } } }
"""
CODE = re.compile(r"^(\d{6})$", re.MULTILINE)
TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")


async def totp_member(server: Server, client: httpx.AsyncClient) -> pyotp.TOTP:
    """An account made by the operator, activated from its e-mail, with an authenticator app set up."""
    created = server.cli("create-account", "--name", "The Smiths", "--email", "jane@example.com")
    assert created.returncode == 0, created.stderr
    assert "accountNumber" in json.loads(created.stdout)
    (welcome,) = await server.mail_to("jane@example.com", "Activate your account")
    token = TOKEN.search(body_of(welcome))
    assert token is not None
    activation = {
        "token": token.group(1),
        "username": "jane",
        "password": PASSWORD,
        "securityQuestion": "First pet?",
        "securityAnswer": "Rex",
        "deviceId": "janes-laptop",
    }
    body = await server.graphql(client, ACTIVATE, {"input": activation})
    session = body["data"]["activateMember"]["token"]
    assert (await server.graphql(client, REQUEST_STEP_UP, token=session))["data"]["requestStepUpCode"] == {
        "errors": []
    }
    (code_mail,) = await server.mail_to("jane@example.com", "Your code to")
    code = CODE.search(body_of(code_mail))
    assert code is not None
    await server.graphql(client, VERIFY_STEP_UP, {"code": code.group(1)}, token=session)
    secret = (await server.graphql(client, ENROLL, token=session))["data"]["enrollTotp"]["secret"]
    totp = pyotp.TOTP(secret)
    confirmed = await server.graphql(client, CONFIRM, {"code": totp.now()}, token=session)
    assert confirmed["data"]["confirmTotp"] == {"ok": True, "errors": []}
    return totp


def a_wrong_code(totp: pyotp.TOTP) -> str:
    """A code no step within the drift window gives (for the next minute or so)."""
    return next(code for code in (f"{n:06d}" for n in range(1000)) if not totp.verify(code, valid_window=2))


async def test_the_sign_in_challenge_cannot_be_brute_forced(tmp_path: Path) -> None:
    async with started_gateway(tmp_path / "var") as server, httpx.AsyncClient(timeout=10) as client:
        # given a TOTP member whose password an attacker holds
        totp = await totp_member(server, client)
        wrong = a_wrong_code(totp)
        answers: list[str] = []
        # when the attacker runs 6 rounds of a fresh challenge and 5 wrong codes (30 guesses)
        for _ in range(6):
            body = await server.graphql(
                client, SIGN_IN, {"input": {"username": "jane", "password": PASSWORD, "deviceId": "attacker"}}
            )
            payload = body.get("data", {}).get("signIn") or {}
            if not payload.get("challenge"):
                answers.extend(error["extensions"]["code"] for error in body.get("errors", []))
                answers.extend(error["code"] for error in payload.get("errors", []))
                continue
            for _ in range(5):
                body = await server.graphql(
                    client,
                    VERIFY_SIGN_IN,
                    {"input": {"challengeId": payload["challenge"]["id"], "code": wrong}},
                )
                answers.extend(error["extensions"]["code"] for error in body.get("errors", []))
                if body.get("data"):
                    answers.extend(error["code"] for error in body["data"]["verifySignIn"]["errors"])
        # then the fifth wrong code locked the member: every later try was refused, none was checked
        assert answers[:5] == ["INVALID_CODE"] * 4 + ["ACCOUNT_LOCKED"]
        assert set(answers[5:]) == {"ACCOUNT_LOCKED"}
        # and the lockout e-mail with its unlock link reached the member
        (lockout,) = await server.mail_to("jane@example.com", "Sign-in to your account is locked")
        assert "/unlock?token=" in body_of(lockout)
        # and the right code no longer signs in from the attacker's device
        body = await server.graphql(
            client, SIGN_IN, {"input": {"username": "jane", "password": PASSWORD, "deviceId": "attacker"}}
        )
        assert [error["code"] for error in body["data"]["signIn"]["errors"]] == ["ACCOUNT_LOCKED"]
        assert body["data"]["signIn"]["token"] is None
