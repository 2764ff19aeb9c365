"""account.members: a constant number of SQL statements whatever the page size, checked arguments, and
cursors that walk every member exactly once."""

from __future__ import annotations

import httpx
import pytest

from models.access import Permission, Role
from models.accounts.models import Account
from models.security.passwords import Passwords
from tests.schema.members.common import add_member
from tests.support import count_queries, error_codes, gql, make_account, make_member, sign_in

MEMBERS_50 = (
    "{ account { members(first: 50) { edges { node { username email permissions lastSignInAt } } } } }"
)
PAGE = """
query Page($first: Int!, $after: String) {
  account { members(first: $first, after: $after) { totalCount edges { node { username } cursor }
    pageInfo { hasNextPage endCursor } } }
}
"""
GRANT_SETS: tuple[tuple[Permission, ...], ...] = (
    (),
    (Permission.VIEW_BILLING,),
    (Permission.PAY_BILLS, Permission.VIEW_MEMBERS),
    (Permission.VIEW_BILLING, Permission.PAY_BILLS, Permission.MANAGE_SERVICES, Permission.VIEW_MEMBERS),
)


async def household_of(size: int, passwords: Passwords, prefix: str) -> Account:
    """A primary and `size - 1` others: managers and STANDARD members with assorted grants."""
    account = await make_account(f"Household {prefix}")
    await make_member(account, f"{prefix}primary", role=Role.PRIMARY, passwords=passwords)
    for index in range(size - 1):
        role = Role.MANAGER if index % 5 == 4 else Role.STANDARD
        grants = GRANT_SETS[index % len(GRANT_SETS)] if role is Role.STANDARD else ()
        await add_member(account, f"{prefix}member{index}", role=role, grants=grants)
    return account


async def statements_for(client: httpx.AsyncClient, token: str, expected_members: int) -> list[str]:
    with count_queries() as statements:
        body = await gql(client, MEMBERS_50, token=token)
    assert "errors" not in body, body
    assert len(body["data"]["account"]["members"]["edges"]) == expected_members
    return list(statements)


async def test_the_query_count_does_not_grow_with_the_members(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given households of 2 and of 50 members
    await household_of(2, passwords, "s")
    await household_of(50, passwords, "l")
    small_token = await sign_in(client, "sprimary")
    large_token = await sign_in(client, "lprimary")
    # when
    small = await statements_for(client, small_token, 2)
    large = await statements_for(client, large_token, 50)
    # then
    assert len(small) == len(large), (small, large)
    assert 0 < len(large) <= 6, large


@pytest.mark.parametrize(
    "arguments", ["first: -1", "first: 1000", 'after: "garbage"', 'after: "Y3Vyc29yOng"']
)
async def test_bad_page_arguments_are_one_bad_user_input_error(
    client: httpx.AsyncClient, passwords: Passwords, arguments: str
) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY, passwords=passwords)
    token = await sign_in(client, "alice")
    # when
    body = await gql(client, f"{{ account {{ number members({arguments}) {{ totalCount }} }} }}", token=token)
    # then
    assert body["data"] == {"account": {"number": account.number, "members": None}}
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["account", "members"]


async def test_cursors_walk_every_member_exactly_once(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given seven members
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY, passwords=passwords)
    for index in range(6):
        await add_member(account, f"member{index}")
    token = await sign_in(client, "alice")
    # when we page three at a time
    seen: list[str] = []
    pages = 0
    after = None
    while True:
        body = await gql(client, PAGE, {"first": 3, "after": after}, token=token)
        assert "errors" not in body, body
        members = body["data"]["account"]["members"]
        assert members["totalCount"] == 7
        seen.extend(edge["node"]["username"] for edge in members["edges"])
        pages += 1
        if not members["pageInfo"]["hasNextPage"]:
            break
        assert members["pageInfo"]["endCursor"] == members["edges"][-1]["cursor"]
        after = members["pageInfo"]["endCursor"]
    # then
    assert seen == ["alice"] + [f"member{index}" for index in range(6)]
    assert pages == 3
