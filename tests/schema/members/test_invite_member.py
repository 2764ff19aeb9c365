"""inviteMember: MANAGE_MEMBERS and a step-up; the invitee gets the link, activates and has their access."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from models.access import Permission, Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member, MemberStatus
from models.notify.outbox import OutboxMessage
from models.security.passwords import Passwords
from tests.schema.members.common import MEMBER_FIELDS, signed_in_primary
from tests.support import (
    STRONG_PASSWORD,
    error_codes,
    gql,
    last_message,
    make_member,
    sign_in,
    step_up,
    token_in,
)

INVITE = f"""
mutation Invite($input: InviteMemberInput!) {{
  inviteMember(input: $input) {{ member {{ {MEMBER_FIELDS} }} errors {{ code field message }} }}
}}
"""
ACTIVATE = """
mutation Activate($input: ActivateMemberInput!) {
  activateMember(input: $input) { token member { username role permissions } errors { code field } }
}
"""
ME = "{ me { username role status permissions phone } }"


def invitation(**changes: Any) -> dict[str, Any]:
    return {"displayName": "Carol Smith", "email": "Carol@Example.COM", "role": "STANDARD", **changes}


async def activate(client: httpx.AsyncClient, link_token: str, username: str) -> dict[str, Any]:
    body = await gql(
        client,
        ACTIVATE,
        {
            "input": {
                "token": link_token,
                "username": username,
                "password": STRONG_PASSWORD,
                "securityQuestion": "First street?",
                "securityAnswer": "Elm",
            }
        },
    )
    payload: dict[str, Any] = body["data"]["activateMember"]
    return payload


async def test_invite_needs_a_step_up(client: httpx.AsyncClient, passwords: Passwords) -> None:
    # given
    account, _primary, token = await signed_in_primary(client, passwords, stepped_up=False)
    # when
    body = await gql(client, INVITE, {"input": invitation()}, token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    assert await Member.filter(account_id=account.id).count() == 1


@pytest.mark.parametrize(
    ("role", "grants", "expected_permissions"),
    [
        (
            "MANAGER",
            None,
            [
                "VIEW_BILLING",
                "PAY_BILLS",
                "MANAGE_PAYMENT_METHODS",
                "MANAGE_SERVICES",
                "MANAGE_ACCOUNT",
                "VIEW_MEMBERS",
                "VIEW_ACTIVITY",
            ],
        ),
        ("STANDARD", ["VIEW_MEMBERS", "VIEW_BILLING"], ["VIEW_BILLING", "VIEW_MEMBERS"]),
        ("STANDARD", [], []),
    ],
)
async def test_primary_invites_and_the_invitee_activates(
    client: httpx.AsyncClient,
    passwords: Passwords,
    role: str,
    grants: list[str] | None,
    expected_permissions: list[str],
) -> None:
    # given
    account, primary, token = await signed_in_primary(client, passwords)
    # when
    body = await gql(
        client,
        INVITE,
        {"input": invitation(role=role, permissions=grants, phone="(312) 555-0123")},
        token=token,
    )
    # then the member exists, INVITED, with the address and phone in normal form
    payload = body["data"]["inviteMember"]
    assert payload["errors"] == []
    assert payload["member"] == {
        "id": payload["member"]["id"],
        "username": None,
        "displayName": "Carol Smith",
        "email": "Carol@example.com",
        "phone": "+13125550123",
        "role": role,
        "status": "INVITED",
        "permissions": expected_permissions,
    }
    invited = await Member.get(account_id=account.id, email="Carol@example.com")
    assert invited.phone_confirmed is False
    assert (
        await ActivityEvent.filter(account_id=account.id, kind="MEMBER_INVITED", actor_id=primary.id).count()
        == 1
    )
    # and the invitation went to the invitee, with the activation link
    message = await last_message("Carol@example.com", "ACTIVATION")
    assert "http://portal.test/activate?token=" in message.body
    # naming who invited them, and the account's name with its own article only
    assert message.subject == "Alice invited you to The Smiths"
    assert "Alice has invited you to The Smiths account." in message.body
    # when the invitee activates from the link and signs in
    activated = await activate(client, token_in(message.body), "carol")
    # then
    assert activated["errors"] == []
    assert activated["token"]
    assert activated["member"] == {"username": "carol", "role": role, "permissions": expected_permissions}
    me = await gql(client, ME, token=await sign_in(client, "carol"))
    assert me == {
        "data": {
            "me": {
                "username": "carol",
                "role": role,
                "status": "ACTIVE",
                "permissions": expected_permissions,
                "phone": "+13125550123",
            }
        }
    }


@pytest.mark.parametrize(
    ("role", "grants"), [(Role.MANAGER, ()), (Role.STANDARD, (Permission.VIEW_MEMBERS,))]
)
async def test_only_manage_members_may_invite_even_stepped_up(
    client: httpx.AsyncClient, passwords: Passwords, role: Role, grants: tuple[Permission, ...]
) -> None:
    # given a stepped-up member without MANAGE_MEMBERS
    account, _primary, _token = await signed_in_primary(client, passwords, stepped_up=False)
    other = await make_member(account, "mallory", role=role, grants=grants, passwords=passwords)
    token = await sign_in(client, "mallory")
    await step_up(client, token, other.email)
    # when
    body = await gql(client, INVITE, {"input": invitation()}, token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["inviteMember"]
    assert await Member.filter(account_id=account.id).count() == 2


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"permissions": ["MANAGE_MEMBERS"]}, [("INVALID_PERMISSION", "permissions")]),
        ({"role": "MANAGER", "permissions": ["MANAGE_MEMBERS"]}, [("INVALID_PERMISSION", "permissions")]),
        ({"permissions": ["VIEW_MEMBERS", "MANAGE_ACCOUNT"]}, [("INVALID_PERMISSION", "permissions")]),
        ({"role": "PRIMARY"}, [("INVALID_ROLE", "role")]),
        ({"email": "not an address"}, [("INVALID_EMAIL", "email")]),
        ({"email": ""}, [("INVALID_EMAIL", "email")]),
        ({"phone": "12"}, [("INVALID_PHONE", "phone")]),
        ({"displayName": "   "}, [("INVALID_INPUT", "displayName")]),
        ({"displayName": "x" * 101}, [("INVALID_INPUT", "displayName")]),
        (
            {"displayName": "", "email": "nope", "phone": "call me"},
            [("INVALID_INPUT", "displayName"), ("INVALID_EMAIL", "email"), ("INVALID_PHONE", "phone")],
        ),
    ],
)
async def test_bad_invitations_are_refused_and_nothing_is_sent(
    client: httpx.AsyncClient, passwords: Passwords, changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    # given
    account, _primary, token = await signed_in_primary(client, passwords)
    # when
    body = await gql(client, INVITE, {"input": invitation(**changes)}, token=token)
    # then
    assert "errors" not in body
    payload = body["data"]["inviteMember"]
    assert payload["member"] is None
    assert [(error["code"], error["field"]) for error in payload["errors"]] == expected
    assert await Member.filter(account_id=account.id).count() == 1
    assert await OutboxMessage.filter(kind="ACTIVATION").count() == 0


async def test_the_invitation_commits_with_its_member(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given
    account, _primary, token = await signed_in_primary(client, passwords)
    # when
    body = await gql(client, INVITE, {"input": invitation()}, token=token)
    # then one member, one e-mail, one link token, all there
    assert body["data"]["inviteMember"]["errors"] == []
    member = await Member.get(account_id=account.id, status=MemberStatus.INVITED)
    assert await OutboxMessage.filter(member_id=member.id, kind="ACTIVATION").count() == 1
    assert await member.one_time_tokens.filter(purpose="ACTIVATION", used_at=None).count() == 1  # type: ignore[attr-defined]


async def test_an_address_someone_on_the_account_uses_is_refused_until_they_are_removed(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given: the primary alice@example.com, and Carol invited once
    account, _primary, token = await signed_in_primary(client, passwords)
    assert (await gql(client, INVITE, {"input": invitation()}, token=token))["data"]["inviteMember"][
        "errors"
    ] == []
    # when: the primary's own address, and Carol's again, in other capitals
    for email in ("ALICE@example.com", "carol@example.com"):
        body = await gql(client, INVITE, {"input": invitation(email=email)}, token=token)
        # then: refused at the address, nobody more, no second invitation
        assert [(error["code"], error["field"]) for error in body["data"]["inviteMember"]["errors"]] == [
            ("EMAIL_TAKEN", "email")
        ]
    assert await Member.filter(account_id=account.id).count() == 2
    assert await OutboxMessage.filter(kind="ACTIVATION").count() == 1
    # when: Carol is removed, her address may be invited again
    await Member.filter(account_id=account.id, status=MemberStatus.INVITED).update(removed_at=utcnow())
    again = await gql(client, INVITE, {"input": invitation()}, token=token)
    # then
    assert again["data"]["inviteMember"]["errors"] == []


async def test_parallel_invitations_of_one_address_make_one_member(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given
    account, _primary, token = await signed_in_primary(client, passwords)
    # when: five at once
    bodies = await asyncio.gather(
        *(gql(client, INVITE, {"input": invitation()}, token=token) for _ in range(5))
    )
    # then: one invited, the rest refused in words
    codes = sorted((body["data"]["inviteMember"]["errors"] or [{"code": "OK"}])[0]["code"] for body in bodies)
    assert codes == ["EMAIL_TAKEN"] * 4 + ["OK"]
    assert await Member.filter(account_id=account.id, status=MemberStatus.INVITED).count() == 1
