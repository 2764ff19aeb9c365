"""Line items are fetched when the selection reaches lineItems, through fragments, and only then."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.accounts.models import Account
from models.billing.charge import charge
from models.billing.models import PaymentSource
from tests.billing_support import add_card, billing_session, issue
from tests.support import count_queries, gql

DIRECT = "{ account { statements { edges { node { lineItems { description } } } } } }"
NAMED_FRAGMENT = """
{ account { statements { edges { node { ...Bill } } } } }
fragment Bill on Statement { lineItems { description } }
"""
INLINE_FRAGMENT = """
{ account { statements { edges { node { ... on Statement { lineItems { description } } } } } } }
"""
CONNECTION_FRAGMENT = """
{ account { statements { ...Page } } }
fragment Page on StatementConnection { edges { node { lineItems { description } } } }
"""
WITHOUT_LINE_ITEMS = "{ account { statements { edges { node { amountDue { amount } } } } } }"
PAYMENT_STATEMENT = "{ account { payments { edges { node { statement { lineItems { description } } } } } } }"

NEWEST_FIRST = [[{"description": "TV - Basic"}], [{"description": "Internet - Gig plan"}]]


@pytest.fixture
async def billed(client: httpx.AsyncClient) -> tuple[Account, str]:
    """A signed-in primary whose account has two statements of one line item each."""
    account, token = await billing_session(client)
    await issue(account, 7999, "Internet - Gig plan")
    await issue(account, 2000, "TV - Basic")
    return account, token


def touching_line_items(statements: list[str]) -> list[str]:
    return [sql for sql in statements if "line_item" in sql]


@pytest.mark.parametrize(
    "document",
    [DIRECT, NAMED_FRAGMENT, INLINE_FRAGMENT, CONNECTION_FRAGMENT],
    ids=["direct", "named-fragment", "inline-fragment", "fragment-on-connection"],
)
async def test_selected_line_items_come_in_one_batch(
    client: httpx.AsyncClient, billed: tuple[Account, str], document: str
) -> None:
    """lineItems selected directly or through a fragment are answered, with one line_item query."""
    # given
    _, token = billed
    # when
    with count_queries() as statements:
        body = await gql(client, document, token=token)
    # then
    assert "errors" not in body, body
    edges = body["data"]["account"]["statements"]["edges"]
    assert [edge["node"]["lineItems"] for edge in edges] == NEWEST_FIRST
    assert len(touching_line_items(statements)) == 1, statements


async def test_without_line_items_no_line_item_query_runs(
    client: httpx.AsyncClient, billed: tuple[Account, str]
) -> None:
    """Statements asked for without lineItems cost no query on line_item."""
    # given
    _, token = billed
    # when
    with count_queries() as statements:
        body = await gql(client, WITHOUT_LINE_ITEMS, token=token)
    # then
    assert "errors" not in body, body
    edges = body["data"]["account"]["statements"]["edges"]
    assert [edge["node"]["amountDue"]["amount"] for edge in edges] == [2000, 7999]
    assert statements != []
    assert touching_line_items(statements) == []


async def test_a_payments_statement_answers_its_line_items(
    client: httpx.AsyncClient, billed: tuple[Account, str]
) -> None:
    """Payment.statement selects lineItems below itself, so they are fetched for it."""
    # given
    account, token = billed
    card = await add_card(account)
    statement = await issue(account, 500, "Late fee")
    await charge(
        account_id=account.id,
        amount=500,
        payment_method=card,
        idempotency_key="k1",
        source=PaymentSource.MANUAL,
        statement_id=statement.id,
    )
    # when
    body = await gql(client, PAYMENT_STATEMENT, token=token)
    # then
    assert "errors" not in body, body
    assert body["data"]["account"]["payments"]["edges"] == [
        {"node": {"statement": {"lineItems": [{"description": "Late fee"}]}}}
    ]


SKIPPED_BY_DIRECTIVES = """
query($skipItems: Boolean!, $withBalance: Boolean!) { account {
    number
    balance @include(if: $withBalance) { amount }
    payments @skip(if: true) { edges { node { id } } }
    statements { edges { node { id lineItems @skip(if: $skipItems) { description } } } }
} }
"""


async def run_with_directives(
    client: httpx.AsyncClient, token: str, skip_items: bool, with_balance: bool
) -> tuple[dict[str, Any], list[str]]:
    """SKIPPED_BY_DIRECTIVES with its two conditions: the account answered and the SQL it cost."""
    variables = {"skipItems": skip_items, "withBalance": with_balance}
    with count_queries() as statements:
        body = await gql(client, SKIPPED_BY_DIRECTIVES, variables, token=token)
    assert "errors" not in body, body
    return body["data"]["account"], statements


async def test_what_skip_and_include_drop_is_not_loaded(
    client: httpx.AsyncClient, billed: tuple[Account, str]
) -> None:
    """Fields @skip and @include drop (literal or by variable) cost no query, ahead or below."""
    # given
    _, token = billed
    # when
    account, statements = await run_with_directives(client, token, skip_items=True, with_balance=False)
    # then
    assert set(account) == {"number", "statements"}
    assert touching_line_items(statements) == []
    assert len(statements) == 2, statements  # the session (with the account) and the statements page


async def test_what_skip_and_include_keep_is_loaded(
    client: httpx.AsyncClient, billed: tuple[Account, str]
) -> None:
    """The same document with the conditions the other way answers and loads the kept fields."""
    # given
    _, token = billed
    # when
    account, statements = await run_with_directives(client, token, skip_items=False, with_balance=True)
    # then
    assert account["balance"] == {"amount": 9999}
    assert [edge["node"]["lineItems"] for edge in account["statements"]["edges"]] == NEWEST_FIRST
    assert len(touching_line_items(statements)) == 1
