"""removeMember: the member's sessions and links stop working at once; they vanish from the list."""

from __future__ import annotations

import httpx

from models.access import Role
from models.activity import ActivityEvent
from models.members.models import Member, MemberStatus
from models.security.codes import issue_link_token
from models.security.models import TokenPurpose
from models.security.passwords import Passwords
from tests.schema.members.common import add_member, gid, signed_in_primary
from tests.support import SIGN_IN, STRONG_PASSWORD, error_codes, gql, make_member, sign_in

REMOVE = "mutation($id: ID!) { removeMember(memberId: $id) { ok errors { code field } } }"
SEEN_BY_REMOVED = "{ me { id } account { number } }"
MEMBERS = "{ account { members { totalCount edges { node { username } } } } }"
ACTIVATE = """
mutation($input: ActivateMemberInput!) { activateMember(input: $input) { token errors { code } } }
"""


async def test_removed_member_is_signed_out_everywhere_at_once(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given bob, signed in twice
    account, primary, token = await signed_in_primary(client, passwords)
    bob = await make_member(account, "bob", role=Role.MANAGER, passwords=passwords)
    bob_tokens = [await sign_in(client, "bob"), await sign_in(client, "bob")]
    # when
    body = await gql(client, REMOVE, {"id": gid(bob)}, token=token)
    # then
    assert body == {"data": {"removeMember": {"ok": True, "errors": []}}}
    for bob_token in bob_tokens:
        seen = await gql(client, SEEN_BY_REMOVED, token=bob_token)
        assert seen["data"] == {"me": None, "account": None}
        assert error_codes(seen) == ["UNAUTHENTICATED"]
        assert seen["errors"][0]["path"] == ["account"]
    signed_in = await gql(client, SIGN_IN, {"input": {"username": "bob", "password": STRONG_PASSWORD}})
    assert signed_in["data"]["signIn"]["token"] is None
    assert [error["code"] for error in signed_in["data"]["signIn"]["errors"]] == ["ACCOUNT_DISABLED"]
    members = await gql(client, MEMBERS, token=token)
    assert members == {
        "data": {"account": {"members": {"totalCount": 1, "edges": [{"node": {"username": "alice"}}]}}}
    }
    removed = await Member.get(id=bob.id)
    assert removed.status == MemberStatus.DISABLED
    assert removed.removed_at is not None
    assert (
        await ActivityEvent.filter(account_id=account.id, kind="MEMBER_REMOVED", actor_id=primary.id).count()
        == 1
    )


async def test_removing_an_invited_member_retires_their_link(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given an invitation with a live link
    account, _primary, token = await signed_in_primary(client, passwords)
    invited = await add_member(account, "carol", status=MemberStatus.INVITED)
    link_token = await issue_link_token(invited.id, TokenPurpose.ACTIVATION, 3600)
    # when
    body = await gql(client, REMOVE, {"id": gid(invited)}, token=token)
    # then
    assert body["data"]["removeMember"] == {"ok": True, "errors": []}
    activated = await gql(
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
    assert activated["data"]["activateMember"] == {"token": None, "errors": [{"code": "INVALID_TOKEN"}]}


async def test_the_primary_cannot_remove_themself_nor_remove_twice(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given
    account, primary, token = await signed_in_primary(client, passwords)
    bob = await add_member(account, "bob")
    # when
    themself = await gql(client, REMOVE, {"id": gid(primary)}, token=token)
    first = await gql(client, REMOVE, {"id": gid(bob)}, token=token)
    second = await gql(client, REMOVE, {"id": gid(bob)}, token=token)
    # then
    assert themself["data"]["removeMember"] == {
        "ok": False,
        "errors": [{"code": "INVALID_ROLE", "field": "memberId"}],
    }
    assert first["data"]["removeMember"] == {"ok": True, "errors": []}
    assert second["data"]["removeMember"] == {
        "ok": False,
        "errors": [{"code": "NOT_FOUND", "field": "memberId"}],
    }
    assert (await Member.get(id=primary.id)).removed_at is None


async def test_remove_needs_a_step_up(client: httpx.AsyncClient, passwords: Passwords) -> None:
    # given
    account, _primary, token = await signed_in_primary(client, passwords, stepped_up=False)
    bob = await add_member(account, "bob")
    # when
    body = await gql(client, REMOVE, {"id": gid(bob)}, token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    assert (await Member.get(id=bob.id)).removed_at is None
