"""Every mutation that takes a memberId answers NOT_FOUND for an id outside the caller's account."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from models.access import Role
from models.members.models import Member
from models.security.passwords import Passwords
from schema.ids import to_global_id
from tests.schema.members.common import add_member, gid, signed_in_primary
from tests.support import gql, make_account

MUTATIONS: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    "resendInvitation": (
        "mutation($id: ID!) { resendInvitation(memberId: $id) { member { id } errors { code field } } }",
        lambda member_id: {"id": member_id},
    ),
    "updateMemberAccess": (
        "mutation($input: UpdateMemberAccessInput!) {"
        " updateMemberAccess(input: $input) { member { id } errors { code field } } }",
        lambda member_id: {"input": {"memberId": member_id, "role": "STANDARD"}},
    ),
    "removeMember": (
        "mutation($id: ID!) { removeMember(memberId: $id) { ok errors { code field } } }",
        lambda member_id: {"id": member_id},
    ),
    "unlockMemberById": (
        "mutation($id: ID!) { unlockMemberById(memberId: $id) { member { id } errors { code field } } }",
        lambda member_id: {"id": member_id},
    ),
    "transferPrimary": (
        "mutation($id: ID!) { transferPrimary(memberId: $id) { member { id } errors { code field } } }",
        lambda member_id: {"id": member_id},
    ),
}


async def foreign_member_id(_own: Member) -> str:
    other_account = await make_account("The Joneses")
    return gid(await add_member(other_account, "jones", role=Role.STANDARD))


async def removed_member_id(own: Member) -> str:
    removed = await add_member(await own.account, "gone")
    await Member.filter(id=removed.id).update(removed_at=removed.created_at)
    return gid(removed)


async def unknown_member_id(_own: Member) -> str:
    return to_global_id("Member", 987654321)


async def account_id(own: Member) -> str:
    return to_global_id("Account", own.account_id)


async def malformed_id(_own: Member) -> str:
    return "garbage!"


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@pytest.mark.parametrize(
    "make_id", [foreign_member_id, removed_member_id, unknown_member_id, account_id, malformed_id]
)
async def test_ids_outside_the_account_are_not_found(
    client: httpx.AsyncClient,
    passwords: Passwords,
    mutation: str,
    make_id: Callable[[Member], Awaitable[str]],
) -> None:
    # given
    _account, primary, token = await signed_in_primary(client, passwords)
    member_id = await make_id(primary)
    document, variables = MUTATIONS[mutation]
    # when
    body = await gql(client, document, variables(member_id), token=token)
    # then
    assert "errors" not in body, body
    assert body["data"][mutation]["errors"] == [{"code": "NOT_FOUND", "field": "memberId"}]
