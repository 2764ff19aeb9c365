"""Activation from the welcome link: username and password rules, single use, a session at the end."""

from __future__ import annotations

import asyncio

import httpx

from models.access import Role
from models.members.models import Member, MemberStatus
from models.security.codes import issue_link_token
from models.security.models import TokenPurpose
from tests.support import STRONG_PASSWORD, gql, make_account, make_member

ACTIVATE = """
mutation Activate($input: ActivateMemberInput!) {
  activateMember(input: $input) { token member { username status role } errors { code field } }
}
"""
ME = "{ me { username status securityQuestion } }"


async def invited_member(email: str = "new@example.com") -> tuple[Member, str]:
    account = await make_account()
    member = await Member.create(
        account_id=account.id,
        role=Role.PRIMARY,
        status=MemberStatus.INVITED,
        display_name="Dana Scully",
        email=email,
    )
    token = await issue_link_token(member.id, TokenPurpose.ACTIVATION, 72 * 3600)
    return member, token


def activation(token: str, **changes: str) -> dict[str, dict[str, str]]:
    values = {
        "token": token,
        "username": "dana.s",
        "password": STRONG_PASSWORD,
        "securityQuestion": "Name of your first pet?",
        "securityAnswer": "  Queequeg ",
    }
    values.update(changes)
    return {"input": values}


async def test_activation_signs_in_and_the_link_works_once(client: httpx.AsyncClient) -> None:
    # given
    _member, token = await invited_member()
    # when
    body = await gql(client, ACTIVATE, activation(token))
    # then
    payload = body["data"]["activateMember"]
    assert payload["errors"] == []
    assert payload["member"] == {"username": "dana.s", "status": "ACTIVE", "role": "PRIMARY"}
    me = await gql(client, ME, token=payload["token"])
    assert me["data"]["me"] == {
        "username": "dana.s",
        "status": "ACTIVE",
        "securityQuestion": "Name of your first pet?",
    }
    again = await gql(client, ACTIVATE, activation(token, username="dana.t"))
    assert again["data"]["activateMember"]["errors"] == [{"code": "INVALID_TOKEN", "field": None}]


async def test_failed_attempts_do_not_use_up_the_link(client: httpx.AsyncClient) -> None:
    # given an existing member "Taken" and an invitation
    account = await make_account()
    await make_member(account, "Taken")
    _member, token = await invited_member()
    cases = [
        ({"password": "password1234"}, "WEAK_PASSWORD", "password"),
        ({"password": "short"}, "WEAK_PASSWORD", "password"),
        ({"password": "x" * 129}, "WEAK_PASSWORD", "password"),
        ({"password": "dana.s dana.s dana.s"}, "WEAK_PASSWORD", "password"),
        ({"password": "orchard SCULLY comet 4242"}, "WEAK_PASSWORD", "password"),
        ({"password": "orchard comet 4242 New"}, "WEAK_PASSWORD", "password"),
        ({"username": "ab"}, "INVALID_USERNAME", "username"),
        ({"username": "has space"}, "INVALID_USERNAME", "username"),
        ({"username": "x" * 33}, "INVALID_USERNAME", "username"),
        ({"username": "taken"}, "USERNAME_TAKEN", "username"),
        ({"username": "TAKEN"}, "USERNAME_TAKEN", "username"),
        ({"securityQuestion": "   "}, "INVALID_INPUT", "securityQuestion"),
        ({"securityQuestion": "q" * 201}, "INVALID_INPUT", "securityQuestion"),
        ({"securityAnswer": ""}, "INVALID_INPUT", "securityAnswer"),
        ({"securityAnswer": "a" * 201}, "INVALID_INPUT", "securityAnswer"),
        ({"deviceId": "d" * 129}, "INVALID_INPUT", "deviceId"),
    ]
    for changes, code, field in cases:
        # when
        body = await gql(client, ACTIVATE, activation(token, **changes))
        # then
        payload = body["data"]["activateMember"]
        assert payload["errors"] == [{"code": code, "field": field}], changes
        assert payload["token"] is None
    body = await gql(client, ACTIVATE, activation(token))
    assert body["data"]["activateMember"]["errors"] == []


async def test_unknown_or_expired_token_is_invalid(client: httpx.AsyncClient) -> None:
    member, _token = await invited_member()
    expired = await issue_link_token(member.id, TokenPurpose.ACTIVATION, -1)
    for token in ["", "nope", "x" * 500, expired]:
        body = await gql(client, ACTIVATE, activation(token))
        assert body["data"]["activateMember"]["errors"] == [{"code": "INVALID_TOKEN", "field": None}]


async def test_concurrent_activations_with_one_link_activate_once(client: httpx.AsyncClient) -> None:
    _member, token = await invited_member()
    bodies = await asyncio.gather(
        *(gql(client, ACTIVATE, activation(token, username=f"dana{i}")) for i in range(5))
    )
    succeeded = [b for b in bodies if b["data"]["activateMember"]["errors"] == []]
    assert len(succeeded) == 1
    assert {b["data"]["activateMember"]["errors"][0]["code"] for b in bodies if b not in succeeded} == {
        "INVALID_TOKEN"
    }
    assert await Member.filter(status=MemberStatus.ACTIVE).count() == 1


async def test_a_new_session_is_not_stepped_up(client: httpx.AsyncClient) -> None:
    _member, token = await invited_member()
    body = await gql(client, ACTIVATE, activation(token))
    session_token = body["data"]["activateMember"]["token"]
    me = await gql(client, "{ me { sessions { current elevatedUntil } } }", token=session_token)
    assert me["data"]["me"]["sessions"] == [{"current": True, "elevatedUntil": None}]


async def test_long_passphrases_up_to_128_characters_are_accepted(client: httpx.AsyncClient) -> None:
    # zxcvbn refuses over 72 characters by default; the policy allows 128
    _member, token = await invited_member()
    passphrase = ("the quiet harbor lantern glows over velvet water while seven gulls argue " * 2)[:128]
    assert len(passphrase) == 128
    body = await gql(client, ACTIVATE, activation(token, password=passphrase))
    assert body["data"]["activateMember"]["errors"] == []
