"""transferPrimary: the roles swap in one transaction, both are told; racing transfers leave one primary."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from models.access import Permission, Role
from models.activity import ActivityEvent
from models.members.models import Member, MemberStatus, PermissionGrant
from models.security.passwords import Passwords
from tests.schema.members.common import add_member, gid, signed_in_primary
from tests.support import error_codes, gql, last_message

TRANSFER = """
mutation($id: ID!) { transferPrimary(memberId: $id) { member { id role permissions } errors { code field } } }
"""
ME = "{ me { role } account { primary { username } } }"
ALL_PERMISSIONS = [
    "VIEW_BILLING",
    "PAY_BILLS",
    "MANAGE_PAYMENT_METHODS",
    "MANAGE_SERVICES",
    "MANAGE_ACCOUNT",
    "VIEW_MEMBERS",
    "MANAGE_MEMBERS",
    "VIEW_ACTIVITY",
]


async def test_the_roles_swap_and_both_are_told(client: httpx.AsyncClient, passwords: Passwords) -> None:
    # given bob, STANDARD with a grant
    account, primary, token = await signed_in_primary(client, passwords)
    bob = await add_member(account, "bob", grants=(Permission.VIEW_BILLING,))
    # when
    body = await gql(client, TRANSFER, {"id": gid(bob)}, token=token)
    # then
    assert body == {
        "data": {
            "transferPrimary": {
                "member": {"id": gid(bob), "role": "PRIMARY", "permissions": ALL_PERMISSIONS},
                "errors": [],
            }
        }
    }
    assert (await Member.get(id=primary.id)).role == Role.MANAGER
    assert await PermissionGrant.filter(member_id=bob.id).count() == 0
    assert await gql(client, ME, token=token) == {
        "data": {"me": {"role": "MANAGER"}, "account": {"primary": {"username": "bob"}}}
    }
    assert "primary member" in (await last_message("bob@example.com", "PRIMARY_TRANSFERRED")).body
    assert "primary member" in (await last_message("alice@example.com", "PRIMARY_TRANSFERRED")).body
    assert (
        await ActivityEvent.filter(
            account_id=account.id, kind="PRIMARY_TRANSFERRED", actor_id=primary.id
        ).count()
        == 1
    )
    # and the former primary no longer manages members
    again = await gql(client, TRANSFER, {"id": gid(primary)}, token=token)
    assert again["data"] is None
    assert error_codes(again) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("self", {"code": "INVALID_ROLE", "field": "memberId"}),
        ("invited", {"code": "INVALID_STATUS", "field": "memberId"}),
        ("disabled", {"code": "INVALID_STATUS", "field": "memberId"}),
    ],
)
async def test_only_another_active_member_can_become_primary(
    client: httpx.AsyncClient, passwords: Passwords, target: str, expected: dict[str, str]
) -> None:
    # given
    account, primary, token = await signed_in_primary(client, passwords)
    members = {
        "self": primary,
        "invited": await add_member(account, "carol", status=MemberStatus.INVITED),
        "disabled": await add_member(account, "dave", status=MemberStatus.DISABLED),
    }
    # when
    body = await gql(client, TRANSFER, {"id": gid(members[target])}, token=token)
    # then
    assert body["data"]["transferPrimary"] == {"member": None, "errors": [expected]}
    assert await Member.filter(account_id=account.id, role=Role.PRIMARY).values_list("id", flat=True) == [
        primary.id
    ]


async def test_transfer_needs_a_step_up(client: httpx.AsyncClient, passwords: Passwords) -> None:
    # given
    account, primary, token = await signed_in_primary(client, passwords, stepped_up=False)
    bob = await add_member(account, "bob")
    # when
    body = await gql(client, TRANSFER, {"id": gid(bob)}, token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    assert (await Member.get(id=primary.id)).role == Role.PRIMARY


async def test_two_racing_transfers_leave_exactly_one_primary(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given two candidates
    account, primary, token = await signed_in_primary(client, passwords)
    bob = await add_member(account, "bob")
    carol = await add_member(account, "carol")
    # when both transfers run at once
    bodies = await asyncio.gather(
        gql(client, TRANSFER, {"id": gid(bob)}, token=token),
        gql(client, TRANSFER, {"id": gid(carol)}, token=token),
    )
    # then one wins; the other is refused (in its payload, or FORBIDDEN when it started after the first ended)
    won = [body for body in bodies if body["data"] and body["data"]["transferPrimary"]["errors"] == []]
    lost = [body for body in bodies if body not in won]
    assert len(won) == 1
    assert len(lost) == 1
    refusal = lost[0]
    assert (
        refusal["data"] is None
        and error_codes(refusal) == ["FORBIDDEN"]
        or refusal["data"]["transferPrimary"]
        == {"member": None, "errors": [{"code": "INVALID_ROLE", "field": "memberId"}]}
    )
    winner_id = won[0]["data"]["transferPrimary"]["member"]["id"]
    primaries = await Member.filter(account_id=account.id, role=Role.PRIMARY).values_list("id", flat=True)
    assert [gid(await Member.get(id=pk)) for pk in primaries] == [winner_id]
    assert (await Member.get(id=primary.id)).role == Role.MANAGER
    assert await ActivityEvent.filter(account_id=account.id, kind="PRIMARY_TRANSFERRED").count() == 1
