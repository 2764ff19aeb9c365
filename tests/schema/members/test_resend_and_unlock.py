"""resendInvitation (a new link replaces the old one) and unlockMemberById; neither needs a step-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member, MemberStatus
from models.notify.outbox import OutboxMessage
from models.security.lockout import SignInThrottle, locked_until, throttle_key
from models.security.passwords import Passwords
from tests.schema.members.common import add_member, gid, signed_in_primary
from tests.support import STRONG_PASSWORD, gql, last_message, token_in

INVITE = """
mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { id } errors { code } } }
"""
RESEND = (
    "mutation($id: ID!) { resendInvitation(memberId: $id) { member { id status } errors { code field } } }"
)
UNLOCK = (
    "mutation($id: ID!) { unlockMemberById(memberId: $id) { member { id status } errors { code field } } }"
)
ACTIVATE = """
mutation($input: ActivateMemberInput!) { activateMember(input: $input) { token errors { code } } }
"""
STATUSES = "{ account { members { edges { node { username status } } } } }"


async def activate(client: httpx.AsyncClient, link_token: str) -> dict[str, Any]:
    body = await gql(
        client,
        ACTIVATE,
        {
            "input": {
                "token": link_token,
                "username": "carol",
                "password": STRONG_PASSWORD,
                "securityQuestion": "First street?",
                "securityAnswer": "Elm",
            }
        },
    )
    payload: dict[str, Any] = body["data"]["activateMember"]
    return payload


async def test_a_resent_invitation_replaces_the_old_link(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given an invitation already sent
    account, primary, token = await signed_in_primary(client, passwords)
    invited = await gql(
        client,
        INVITE,
        {"input": {"displayName": "Carol", "email": "carol@example.com", "role": "STANDARD"}},
        token=token,
    )
    member_id = invited["data"]["inviteMember"]["member"]["id"]
    old_link = token_in((await last_message("carol@example.com", "ACTIVATION")).body)
    # when
    body = await gql(client, RESEND, {"id": member_id}, token=token)
    # then
    assert body == {
        "data": {"resendInvitation": {"member": {"id": member_id, "status": "INVITED"}, "errors": []}}
    }
    assert await OutboxMessage.filter(recipient="carol@example.com", kind="ACTIVATION").count() == 2
    new_link = token_in((await last_message("carol@example.com", "ACTIVATION")).body)
    assert new_link != old_link
    assert await activate(client, old_link) == {"token": None, "errors": [{"code": "INVALID_TOKEN"}]}
    activated = await activate(client, new_link)
    assert activated["errors"] == []
    assert activated["token"]
    assert (
        await ActivityEvent.filter(
            account_id=account.id, kind="MEMBER_INVITATION_RESENT", actor_id=primary.id
        ).count()
        == 1
    )


async def test_resend_without_a_step_up_and_only_to_invited_members(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given a session that is not stepped up
    account, _primary, token = await signed_in_primary(client, passwords, stepped_up=False)
    invited = await add_member(account, "carol", status=MemberStatus.INVITED)
    active = await add_member(account, "bob")
    # when
    to_invited = await gql(client, RESEND, {"id": gid(invited)}, token=token)
    to_active = await gql(client, RESEND, {"id": gid(active)}, token=token)
    # then
    assert to_invited["data"]["resendInvitation"]["errors"] == []
    assert (
        "http://portal.test/activate?token=" in (await last_message("carol@example.com", "ACTIVATION")).body
    )
    assert to_active["data"]["resendInvitation"] == {
        "member": None,
        "errors": [{"code": "INVALID_STATUS", "field": "memberId"}],
    }
    assert await OutboxMessage.filter(recipient="bob@example.com").count() == 0


async def test_unlock_ends_a_lockout(client: httpx.AsyncClient, passwords: Passwords) -> None:
    # given bob, locked for another ten minutes
    account, primary, token = await signed_in_primary(client, passwords, stepped_up=False)
    bob = await add_member(account, "bob")
    until = utcnow() + timedelta(minutes=10)
    await Member.filter(id=bob.id).update(locked_until=until)
    await SignInThrottle.create(key=throttle_key("bob"), failures=2, locked_until=until, lock_level=1)
    before = await gql(client, STATUSES, token=token)
    # when
    body = await gql(client, UNLOCK, {"id": gid(bob)}, token=token)
    # then
    assert {"node": {"username": "bob", "status": "LOCKED"}} in before["data"]["account"]["members"]["edges"]
    assert body == {
        "data": {"unlockMemberById": {"member": {"id": gid(bob), "status": "ACTIVE"}, "errors": []}}
    }
    assert (await Member.get(id=bob.id)).locked_until is None
    assert await locked_until(throttle_key("bob")) is None
    assert (
        await ActivityEvent.filter(account_id=account.id, kind="MEMBER_UNLOCKED", actor_id=primary.id).count()
        == 1
    )
