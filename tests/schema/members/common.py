"""Shared set-up of the member-management tests: a signed-in primary, members built without hashing."""

from __future__ import annotations

import httpx

from models.access import Permission, Role
from models.accounts.models import Account
from models.members.models import Member, MemberStatus, PermissionGrant, fold_username
from models.security.passwords import Passwords
from schema.ids import to_global_id
from tests.support import make_account, make_member, sign_in, step_up

MEMBER_FIELDS = "id username displayName email phone role status permissions"


async def signed_in_primary(
    client: httpx.AsyncClient, passwords: Passwords, *, stepped_up: bool = True
) -> tuple[Account, Member, str]:
    """An account whose primary `alice` is signed in (and stepped up unless told otherwise)."""
    account = await make_account()
    primary = await make_member(account, "alice", role=Role.PRIMARY, passwords=passwords)
    token = await sign_in(client, "alice")
    if stepped_up:
        await step_up(client, token, primary.email)
    return account, primary, token


async def add_member(
    account: Account,
    username: str,
    *,
    role: Role = Role.STANDARD,
    status: MemberStatus = MemberStatus.ACTIVE,
    grants: tuple[Permission, ...] = (),
) -> Member:
    """A member that cannot sign in (no password hash): quick to build in numbers."""
    activated = status is not MemberStatus.INVITED
    member = await Member.create(
        account_id=account.id,
        role=role,
        status=status,
        username=username if activated else None,
        username_folded=fold_username(username) if activated else None,
        display_name=username.title(),
        email=f"{username}@example.com",
    )
    if grants:
        await PermissionGrant.bulk_create(
            [PermissionGrant(member_id=member.id, permission=p) for p in grants]
        )
    return member


def gid(member: Member) -> str:
    return to_global_id("Member", member.id)
