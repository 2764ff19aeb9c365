"""Account's billing fields: VIEW_BILLING, newest first, and a query count that does not grow."""

from __future__ import annotations

import httpx

from models.access import Permission, Role
from models.accounts.models import Account
from models.billing.charge import charge
from models.billing.models import PaymentSource
from tests.billing_support import add_card, billing_session, issue
from tests.support import count_queries, error_codes, gql

BILLING = """
{ account {
    statements(first: 12) { edges { node { amountDue { amount } lineItems { description } } } }
    payments(first: 10) { edges { node { amount { amount } paymentMethod { last4 } statement { id } } } }
} }
"""
PAGE = """
query($after: String) { account { statements(first: 2, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { amountDue { amount } } } } } }
"""


async def _bills(client: httpx.AsyncClient, count: int) -> tuple[int, dict[str, object]]:
    account, token = await billing_session(client)
    card = await add_card(account)
    for n in range(count):
        statement = await issue(account, 1000 + n)
        await charge(
            account_id=account.id,
            amount=500,
            payment_method=card,
            idempotency_key=f"k{n}",
            source=PaymentSource.AUTOPAY,
            statement_id=statement.id,
        )
    with count_queries() as statements:
        body = await gql(client, BILLING, token=token)
    return len(statements), body


async def test_twenty_rows_cost_the_same_queries(client: httpx.AsyncClient) -> None:
    # given / when: an account with one statement and payment, then (alone) one with twenty
    one, _ = await _bills(client, 1)
    await Account.all().delete()
    twenty, body = await _bills(client, 20)
    # then
    assert "errors" not in body
    account = body["data"]["account"]  # type: ignore[index]
    assert len(account["statements"]["edges"]) == 12
    assert len(account["payments"]["edges"]) == 10
    assert account["statements"]["edges"][0]["node"]["lineItems"] == [{"description": "Internet - Gig plan"}]
    assert twenty == one


async def test_statements_page_newest_first(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    for amount in (100, 200, 300):
        await issue(account, amount)
    first = await gql(client, PAGE, token=token)
    page = first["data"]["account"]["statements"]
    assert page["totalCount"] == 3
    assert [e["node"]["amountDue"]["amount"] for e in page["edges"]] == [300, 200]
    assert page["pageInfo"]["hasNextPage"] is True
    second = await gql(client, PAGE, {"after": page["pageInfo"]["endCursor"]}, token=token)
    rest = second["data"]["account"]["statements"]
    assert [e["node"]["amountDue"]["amount"] for e in rest["edges"]] == [100]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_without_view_billing_the_fields_are_null_and_forbidden(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client, role=Role.STANDARD, grants=(Permission.PAY_BILLS,))
    await issue(account, 7999)
    body = await gql(
        client, "{ account { number balance { amount } statements { totalCount } } }", token=token
    )
    assert body["data"]["account"] == {"number": account.number, "balance": None, "statements": None}
    assert error_codes(body) == ["FORBIDDEN", "FORBIDDEN"]


async def test_without_a_session_billing_is_unauthenticated(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ account { paymentMethods { last4 } } }")
    assert error_codes(body) == ["UNAUTHENTICATED"]
