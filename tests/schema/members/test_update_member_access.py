"""updateMemberAccess: a non-primary member's role and grants are replaced together."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.access import Permission, Role
from models.activity import ActivityEvent
from models.members.models import Member, PermissionGrant
from models.security.passwords import Passwords
from tests.schema.members.common import add_member, gid, signed_in_primary
from tests.support import error_codes, gql, make_member, sign_in

UPDATE = """
mutation($input: UpdateMemberAccessInput!) {
  updateMemberAccess(input: $input) { member { id role permissions } errors { code field } }
}
"""
MY_PERMISSIONS = "{ me { role permissions } }"
MANAGER_PERMISSIONS = [
    "VIEW_BILLING",
    "PAY_BILLS",
    "MANAGE_PAYMENT_METHODS",
    "MANAGE_SERVICES",
    "MANAGE_ACCOUNT",
    "VIEW_MEMBERS",
    "VIEW_ACTIVITY",
]


async def test_grants_are_replaced_and_the_member_sees_them_at_once(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given bob, STANDARD with PAY_BILLS, signed in
    account, primary, token = await signed_in_primary(client, passwords)
    bob = await make_member(account, "bob", grants=(Permission.PAY_BILLS,), passwords=passwords)
    bob_token = await sign_in(client, "bob")
    # when
    body = await gql(
        client,
        UPDATE,
        {
            "input": {
                "memberId": gid(bob),
                "role": "STANDARD",
                "permissions": ["VIEW_MEMBERS", "VIEW_BILLING"],
            }
        },
        token=token,
    )
    # then
    assert body["data"]["updateMemberAccess"] == {
        "member": {"id": gid(bob), "role": "STANDARD", "permissions": ["VIEW_BILLING", "VIEW_MEMBERS"]},
        "errors": [],
    }
    assert await gql(client, MY_PERMISSIONS, token=bob_token) == {
        "data": {"me": {"role": "STANDARD", "permissions": ["VIEW_BILLING", "VIEW_MEMBERS"]}}
    }
    assert (
        await ActivityEvent.filter(
            account_id=account.id, kind="MEMBER_ACCESS_CHANGED", actor_id=primary.id
        ).count()
        == 1
    )


async def test_making_a_manager_drops_the_grants(client: httpx.AsyncClient, passwords: Passwords) -> None:
    # given
    account, _primary, token = await signed_in_primary(client, passwords)
    bob = await add_member(account, "bob", grants=(Permission.PAY_BILLS, Permission.VIEW_MEMBERS))
    # when
    body = await gql(client, UPDATE, {"input": {"memberId": gid(bob), "role": "MANAGER"}}, token=token)
    # then
    assert body["data"]["updateMemberAccess"] == {
        "member": {"id": gid(bob), "role": "MANAGER", "permissions": MANAGER_PERMISSIONS},
        "errors": [],
    }
    assert await PermissionGrant.filter(member_id=bob.id).count() == 0


@pytest.mark.parametrize(
    ("target", "changes", "expected"),
    [
        ("primary", {"role": "STANDARD"}, {"code": "INVALID_ROLE", "field": "memberId"}),
        ("bob", {"role": "PRIMARY"}, {"code": "INVALID_ROLE", "field": "role"}),
        (
            "bob",
            {"role": "STANDARD", "permissions": ["MANAGE_MEMBERS"]},
            {"code": "INVALID_PERMISSION", "field": "permissions"},
        ),
        (
            "bob",
            {"role": "STANDARD", "permissions": ["MANAGE_PAYMENT_METHODS"]},
            {"code": "INVALID_PERMISSION", "field": "permissions"},
        ),
        (
            "bob",
            {"role": "MANAGER", "permissions": ["MANAGE_MEMBERS"]},
            {"code": "INVALID_PERMISSION", "field": "permissions"},
        ),
    ],
)
async def test_refused_changes_change_nothing(
    client: httpx.AsyncClient,
    passwords: Passwords,
    target: str,
    changes: dict[str, Any],
    expected: dict[str, str],
) -> None:
    # given
    account, primary, token = await signed_in_primary(client, passwords)
    bob = await add_member(account, "bob", grants=(Permission.PAY_BILLS,))
    member = primary if target == "primary" else bob
    # when
    body = await gql(client, UPDATE, {"input": {"memberId": gid(member), **changes}}, token=token)
    # then
    assert body["data"]["updateMemberAccess"] == {"member": None, "errors": [expected]}
    assert (await Member.get(id=primary.id)).role == Role.PRIMARY
    assert (await Member.get(id=bob.id)).role == Role.STANDARD
    assert [grant.permission for grant in await PermissionGrant.filter(member_id=bob.id)] == [
        Permission.PAY_BILLS
    ]


async def test_update_access_needs_a_step_up(client: httpx.AsyncClient, passwords: Passwords) -> None:
    # given
    account, _primary, token = await signed_in_primary(client, passwords, stepped_up=False)
    bob = await add_member(account, "bob")
    # when
    body = await gql(client, UPDATE, {"input": {"memberId": gid(bob), "role": "MANAGER"}}, token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    assert (await Member.get(id=bob.id)).role == Role.STANDARD
