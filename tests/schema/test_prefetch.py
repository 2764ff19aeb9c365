"""What `account` loads ahead for its selection (schema/fastpath/prefetch.py): each page as its own
arguments say (aliases, variables, defaults, fragments), nothing the caller may not see, nothing for a
page whose arguments are refused, no more SQL than the fields loading themselves; and the fields still
load themselves where nothing was loaded ahead (node)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.access import Permission, Role
from models.accounts.models import Account
from schema.ids import to_global_id
from schema.node import MAX_PAGE_SIZE
from tests.support import count_queries, error_codes, gql, make_account, make_member, sign_in
from tests.test_speed import DASHBOARD, MAX_STATEMENTS, primary_with_data, seed

STATEMENTS = 8  # seeded statements (3 line items each), payments and STANDARD members

ALIASES = """
{ account {
    recent: statements(first: 2) {
      pageInfo { hasNextPage } edges { node { id lineItems { description } } } }
    older: statements(first: 5) {
      pageInfo { hasNextPage } edges { node { id lineItems { description } } } }
} }
"""

PAGE = """
fragment Page on StatementConnection {
  edges { node { id periodStart lineItems { description } } } pageInfo { hasNextPage }
}
"""
LITERAL = "{ account { statements(first: 3) { ...Page } } }" + PAGE
BY_VARIABLE = "query($first: Int) { account { statements(first: $first) { ...Page } } }" + PAGE
BY_VARIABLE_DEFAULT = "query($first: Int = 3) { account { statements(first: $first) { ...Page } } }" + PAGE
IN_NAMED_FRAGMENT = (
    """
query($first: Int) { account { ...Bills } }
fragment Bills on Account { statements(first: $first) { ...Page } }
"""
    + PAGE
)
IN_INLINE_FRAGMENT = "{ account { ... on Account { statements(first: 3) { ...Page } } } }" + PAGE
DEFAULT_PAGE = "{ account { statements { ...Page } } }" + PAGE
UNSET_VARIABLE = BY_VARIABLE

REFUSED_PAGE = """
query($first: Int, $after: String) { account {
    number
    statements(first: $first, after: $after) { edges { node { id lineItems { description } } } }
    payments(first: 2) { edges { node { amount { amount } } } }
    members(first: 3) { edges { node { username permissions } } }
} }
"""

ACCOUNT_NUMBER = "{ account { number } }"

PAGES = """
fragment Pages on Account {
  number
  statements(first: 2) { edges { node { id lineItems { description } } } }
  payments(first: 3) { edges { node { id paymentMethod { last4 } } } }
  members(first: 4) { edges { node { username permissions } } }
}
"""
ACCOUNT_PAGES = "{ account { ...Pages } }" + PAGES
NODE_PAGES = "query($id: ID!) { node(id: $id) { ...Pages } }" + PAGES
BALANCE_AND_NEXT_PAYMENT = """
fragment Shared on Account { balance { amount } nextPayment { amount { amount } dueDate } }
"""
ACCOUNT_SHARED = "{ account { ...Shared } }"
NODE_SHARED = "query($id: ID!) { node(id: $id) { ...Shared } }"
SAME_PAGE_TWICE = """
fragment Shared on Account {
  recent: statements(first: 2) { edges { node { id } } }
  again: statements(first: 2) { edges { node { id } } }
}
"""

BILLING_FIELDS = ("balance", "nextPayment", "statements", "payments")


async def household(*members: tuple[str, tuple[Permission, ...]]) -> Account:
    """An account with the primary `alice`, STANDARD members with these grants, and STATEMENTS of
    everything (tests/test_speed.py's seed)."""
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    for username, grants in members:
        await make_member(account, username, grants=grants)
    await seed(account, STATEMENTS, prefix="h")
    return account


def errors_by_path(body: dict[str, Any]) -> list[tuple[list[str], str]]:
    """The errors as (path, code), in the order the answer lists them."""
    return [(error["path"], error["extensions"]["code"]) for error in body.get("errors", [])]


def touching(statements: list[str], table: str) -> list[str]:
    return [sql for sql in statements if f'FROM "{table}"' in sql]


async def test_aliased_pages_of_one_field_each_get_their_own_size(client: httpx.AsyncClient) -> None:
    """`recent: statements(first: 2)` and `older: statements(first: 5)` in one document: 2 and 5 edges,
    the same newest statements first, each with its line items."""
    # given
    await household()
    token = await sign_in(client, "alice")
    # when
    body = await gql(client, ALIASES, token=token)
    # then
    assert "errors" not in body, body
    recent = body["data"]["account"]["recent"]
    older = body["data"]["account"]["older"]
    assert len(recent["edges"]) == 2
    assert len(older["edges"]) == 5
    assert [edge["node"]["id"] for edge in recent["edges"]] == [
        edge["node"]["id"] for edge in older["edges"][:2]
    ]
    assert recent["pageInfo"] == older["pageInfo"] == {"hasNextPage": True}
    assert all(len(edge["node"]["lineItems"]) == 3 for edge in recent["edges"] + older["edges"])


async def test_aliased_pages_cost_one_query_each_and_one_for_line_items(client: httpx.AsyncClient) -> None:
    """The two aliased pages are two statement page queries, and their line items come in one batch."""
    # given
    await household()
    token = await sign_in(client, "alice")
    # when
    with count_queries() as statements:
        body = await gql(client, ALIASES, token=token)
    # then
    assert "errors" not in body, body
    assert len(touching(statements, "statement")) == 2, statements
    assert len(touching(statements, "line_item")) == 1, statements


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (BY_VARIABLE, {"first": 3}),
        (BY_VARIABLE_DEFAULT, {}),
        (IN_NAMED_FRAGMENT, {"first": 3}),
        (IN_INLINE_FRAGMENT, {}),
    ],
    ids=["variable", "variable-default", "named-fragment-with-variable", "inline-fragment"],
)
async def test_first_given_indirectly_answers_as_the_literal(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any]
) -> None:
    """`first` from a variable (given or its default), in a fragment spread or an inline fragment on
    Account: the same answer as `statements(first: 3)`, for the same number of SQL statements (a page
    loaded ahead with a wrong size would cost one more)."""
    # given
    await household()
    token = await sign_in(client, "alice")
    with count_queries() as literal_statements:
        literal = await gql(client, LITERAL, token=token)
    assert "errors" not in literal, literal
    assert len(literal["data"]["account"]["statements"]["edges"]) == 3
    # when
    with count_queries() as statements:
        body = await gql(client, document, variables, token=token)
    # then
    assert body == literal
    assert len(statements) == len(literal_statements), statements


async def test_a_variable_left_unset_gives_the_fields_default_page(client: httpx.AsyncClient) -> None:
    """`statements(first: $first)` with $first not sent answers as `statements` with no argument (the
    default page size), for the same SQL."""
    # given
    await household()
    token = await sign_in(client, "alice")
    with count_queries() as default_statements:
        default = await gql(client, DEFAULT_PAGE, token=token)
    assert "errors" not in default, default
    assert len(default["data"]["account"]["statements"]["edges"]) == STATEMENTS
    # when
    with count_queries() as statements:
        body = await gql(client, UNSET_VARIABLE, token=token)
    # then
    assert body == default
    assert len(statements) == len(default_statements), statements


@pytest.mark.parametrize(
    "variables",
    [{"first": -1}, {"first": MAX_PAGE_SIZE + 1}, {"first": 2, "after": "not a cursor"}],
    ids=["negative-first", "first-above-max", "bad-after"],
)
async def test_a_refused_page_fails_that_field_alone(
    client: httpx.AsyncClient, variables: dict[str, Any]
) -> None:
    """Arguments `statements` refuses: BAD_USER_INPUT at account.statements only, and number, payments
    and members (with their permissions) still answer."""
    # given
    account = await household(("sam", ()))
    token = await sign_in(client, "alice")
    # when
    body = await gql(client, REFUSED_PAGE, variables, token=token)
    # then
    assert errors_by_path(body) == [(["account", "statements"], "BAD_USER_INPUT")]
    answer = body["data"]["account"]
    assert answer["number"] == account.number
    assert answer["statements"] is None
    assert [edge["node"]["amount"] for edge in answer["payments"]["edges"]] == [{"amount": 3000}] * 2
    assert [edge["node"]["username"] for edge in answer["members"]["edges"]] == ["alice", "sam", "hm0"]
    assert answer["members"]["edges"][0]["node"]["permissions"] == [
        permission.value for permission in Permission
    ]
    assert answer["members"]["edges"][1]["node"]["permissions"] == []


async def test_a_refused_page_loads_no_statements(client: httpx.AsyncClient) -> None:
    """Nothing is loaded ahead for a page whose `first` is refused: no query on statement or line_item."""
    # given
    await household()
    token = await sign_in(client, "alice")
    # when
    with count_queries() as statements:
        body = await gql(client, REFUSED_PAGE, {"first": -1}, token=token)
    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert touching(statements, "statement") == []
    assert touching(statements, "line_item") == []


async def test_members_without_view_billing_see_members_but_no_billing(client: httpx.AsyncClient) -> None:
    """A STANDARD member with VIEW_MEMBERS only asks the dashboard: FORBIDDEN on each billing field,
    the members page answered, and no billing row read ahead."""
    # given
    account = await household(("sam", (Permission.VIEW_MEMBERS,)))
    token = await sign_in(client, "sam")
    # when
    with count_queries() as statements:
        body = await gql(client, DASHBOARD, token=token)
    # then
    assert errors_by_path(body) == [(["account", field], "FORBIDDEN") for field in BILLING_FIELDS]
    answer = body["data"]["account"]
    assert answer["number"] == account.number
    assert all(answer[field] is None for field in BILLING_FIELDS)
    assert [edge["node"]["username"] for edge in answer["members"]["edges"]] == [
        "alice",
        "sam",
        "hm0",
        "hm1",
        "hm2",
    ]
    assert answer["members"]["edges"][1]["node"]["permissions"] == ["VIEW_MEMBERS"]
    assert touching(statements, "statement") == []
    assert touching(statements, "payment") == []


async def test_view_billing_without_view_members_sees_billing_but_no_members(
    client: httpx.AsyncClient,
) -> None:
    """A STANDARD member with VIEW_BILLING only asks the dashboard: FORBIDDEN on members alone, every
    billing field answered, and no member page read ahead."""
    # given
    await household(("bill", (Permission.VIEW_BILLING,)))
    token = await sign_in(client, "bill")
    # when
    with count_queries() as statements:
        body = await gql(client, DASHBOARD, token=token)
    # then
    assert errors_by_path(body) == [(["account", "members"], "FORBIDDEN")]
    answer = body["data"]["account"]
    assert answer["members"] is None
    assert answer["balance"]["amount"] == 3000 * (STATEMENTS // 2)
    assert answer["nextPayment"] is not None
    assert len(answer["statements"]["edges"]) == STATEMENTS
    assert all(len(edge["node"]["lineItems"]) == 3 for edge in answer["statements"]["edges"])
    assert len(answer["payments"]["edges"]) == STATEMENTS
    assert touching(statements, "member") == []
    assert all("IN (" not in sql for sql in touching(statements, "permission_grant")), statements


async def test_the_dashboard_runs_as_many_sql_statements_as_before(client: httpx.AsyncClient) -> None:
    """The dashboard loaded ahead runs exactly the statements tests/test_speed.py allows (7): the
    session, open statements, the three pages, line items and grants."""
    # given
    token = await primary_with_data(client, 20)
    # when
    with count_queries() as statements:
        body = await gql(client, DASHBOARD, token=token)
    # then
    assert "errors" not in body, body
    assert len(statements) == MAX_STATEMENTS, statements


async def test_the_account_number_alone_costs_the_session_read_only(client: httpx.AsyncClient) -> None:
    """`account { number }` loads nothing ahead: the session's read brought the account, one statement."""
    # given
    account = await household()
    token = await sign_in(client, "alice")
    # when
    with count_queries() as statements:
        body = await gql(client, ACCOUNT_NUMBER, token=token)
    # then
    assert body == {"data": {"account": {"number": account.number}}}
    assert len(statements) <= 1, statements


async def test_node_resolves_the_accounts_pages_loading_them_itself(client: httpx.AsyncClient) -> None:
    """node(id:) of the Account (nothing loaded ahead there) answers the statements with their line
    items, the payments and the members exactly as `account` does."""
    # given
    account = await household(("sam", ()))
    token = await sign_in(client, "alice")
    through_account = await gql(client, ACCOUNT_PAGES, token=token)
    assert "errors" not in through_account, through_account
    # when
    body = await gql(client, NODE_PAGES, {"id": to_global_id("Account", account.id)}, token=token)
    # then
    assert "errors" not in body, body
    assert body["data"]["node"] == through_account["data"]["account"]
    pages = body["data"]["node"]
    assert [len(edge["node"]["lineItems"]) for edge in pages["statements"]["edges"]] == [3, 3]
    assert [edge["node"]["paymentMethod"] for edge in pages["payments"]["edges"]] == [{"last4": "4242"}] * 3
    assert [edge["node"]["username"] for edge in pages["members"]["edges"]] == ["alice", "sam", "hm0", "hm1"]


@pytest.mark.parametrize(
    "fragment",
    [BALANCE_AND_NEXT_PAYMENT, SAME_PAGE_TWICE],
    ids=["balance-and-next-payment", "same-page-twice"],
)
async def test_node_resolves_fields_that_wait_on_the_same_load(
    client: httpx.AsyncClient, fragment: str
) -> None:
    """node(id:) of the Account with two fields that load the same thing themselves (balance and
    nextPayment: the open statements; one page under two aliases): both answer as through `account`."""
    # given
    account = await household()
    token = await sign_in(client, "alice")
    through_account = await gql(client, ACCOUNT_SHARED + fragment, token=token)
    assert "errors" not in through_account, through_account
    # when
    body = await gql(client, NODE_SHARED + fragment, {"id": to_global_id("Account", account.id)}, token=token)
    # then
    assert body == {"data": {"node": through_account["data"]["account"]}}
