"""Query limits refuse before any resolver runs, with QUERY_TOO_COMPLEX and the limit named."""

from __future__ import annotations

import httpx
import pytest

from schema.accounts import queries
from tests.support import SIGN_IN, gql


def refusal_limits(body: dict[str, object]) -> list[str]:
    errors = body["errors"]
    assert isinstance(errors, list)
    assert {error["extensions"]["code"] for error in errors} == {"QUERY_TOO_COMPLEX"}
    return [error["extensions"]["limit"] for error in errors]


@pytest.fixture
def resolver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every call of the account resolver: a refused query must make none."""
    calls: list[str] = []
    real = queries.load_account

    async def recording(info: object) -> object:
        calls.append("account")
        return await real(info)  # type: ignore[arg-type]

    monkeypatch.setattr(queries, "load_account", recording)
    return calls


async def test_depth_over_ten_is_refused(client: httpx.AsyncClient, resolver_calls: list[str]) -> None:
    deep = "{ __schema { types { fields { type " + "{ ofType " * 7 + "{ name }" + " }" * 7 + " } } } }"
    body = await gql(client, deep)
    assert body["data"] is None
    assert refusal_limits(body) == ["depth"]
    assert body["errors"][0]["extensions"]["maximum"] == 10
    assert resolver_calls == []


async def test_more_than_fifteen_aliases_are_refused(
    client: httpx.AsyncClient, resolver_calls: list[str]
) -> None:
    aliased = "{ " + " ".join(f"a{n}: account {{ number }}" for n in range(16)) + " }"
    body = await gql(client, aliased)
    assert refusal_limits(body) == ["aliases"]
    assert resolver_calls == []
    fine = "{ " + " ".join(f"a{n}: me {{ id }}" for n in range(15)) + " }"
    assert "errors" not in await gql(client, fine)


async def test_cost_over_the_budget_is_refused(client: httpx.AsyncClient, resolver_calls: list[str]) -> None:
    heavy = (
        "edges { node { sessions { id createdAt lastSeenAt ipAddress userAgent current } permissions "
        "username email phone role status "
        "notificationPreferences { billing outages security serviceChanges } } }"
    )
    costly = "{ account { " + " ".join(f"m{n}: members(first: 100) {{ {heavy} }}" for n in range(3)) + " } }"
    body = await gql(client, costly)
    assert refusal_limits(body) == ["cost"]
    assert body["errors"][0]["extensions"]["actual"] > 5000
    assert resolver_calls == []
    cheap = "{ account { members(first: 5) { edges { node { username } } } } }"
    assert (await gql(client, cheap))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_variable_page_sizes_count_at_the_largest_page(client: httpx.AsyncClient) -> None:
    heavy = (
        "edges { node { sessions { id createdAt lastSeenAt ipAddress userAgent current } "
        "username email phone role status permissions } }"
    )
    query = (
        "query($n: Int) { account { "
        + " ".join(f"m{i}: members(first: $n) {{ {heavy} }}" for i in range(3))
        + " } }"
    )
    assert refusal_limits(await gql(client, query, {"n": 1})) == ["cost"]
    with_default = query.replace("$n: Int)", "$n: Int = 2)")
    body = await gql(client, with_default)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_guessing_operations_appear_once_per_request(client: httpx.AsyncClient) -> None:
    twice = (
        'mutation { a: signIn(input: {username: "x", password: "y"}) { token } '
        'b: signIn(input: {username: "x", password: "z"}) { token } }'
    )
    body = await gql(client, twice)
    assert refusal_limits(body) == ["single:signIn"]
    once = await gql(client, SIGN_IN, {"input": {"username": "x", "password": "y"}})
    assert once["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_too_many_tokens_are_refused_before_parsing(client: httpx.AsyncClient) -> None:
    huge = "{ " + " ".join("me { id }" for _ in range(600)) + " }"
    body = await gql(client, huge)
    assert body["data"] is None
    assert refusal_limits(body) == ["tokens"]


async def test_partner_keys_have_their_own_smaller_budget(client: httpx.AsyncClient) -> None:
    # given a query of about 2,400 cost: within a member's budget (5,000), over a key's (2,000)
    from models.access import Permission
    from tests.schema.partners.support import household, make_key
    from tests.support import sign_in

    _account, primary = await household()
    _, secret = await make_key(primary, Permission.VIEW_MEMBERS)
    page = (
        "{ account { members(first: 100) { edges { node { sessions { id createdAt lastSeenAt ipAddress "
        "userAgent current } permissions username email phone role status lastSignInAt displayName } } } } }"
    )
    # when
    as_key = await gql(client, page, token=secret)
    as_member = await gql(client, page, token=await sign_in(client, "pat"))
    # then
    assert refusal_limits(as_key) == ["cost"]
    assert as_key["errors"][0]["extensions"]["maximum"] == 2000
    assert "errors" not in as_member
