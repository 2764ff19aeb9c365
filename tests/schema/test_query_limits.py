"""Query limits refuse before any resolver runs, with QUERY_TOO_COMPLEX and the limit named."""

from __future__ import annotations

import httpx
import pytest

from schema.accounts import queries
from tests.support import SIGN_IN, error_codes, gql

HEAVY_MEMBER_PAGE = (
    "edges { node { sessions { id createdAt lastSeenAt ipAddress userAgent current } "
    "username email phone role status permissions } }"
)
# Three pages of members, each of `$n`: 18 a member, 2 a page, 2 the account.
PAGED = (
    "query Paged($n: Int) { account { "
    + " ".join(f"m{i}: members(first: $n) {{ {HEAVY_MEMBER_PAGE} }}" for i in range(3))
    + " } }"
)
FRAGMENTED_SIGN_INS = """
mutation Guess {
  ... on Mutation { a: signIn(input: {username: "x", password: "one"}) { token } }
  ...More
}
fragment More on Mutation {
  b: signIn(input: {username: "x", password: "two"}) { token }
  ... on Mutation { c: signIn(input: {username: "x", password: "three"}) { token } }
}
"""
# The same fragment spread twice runs its field once: no refusal.
SPREAD_TWICE = """
mutation { ...Once ...Once }
fragment Once on Mutation { signIn(input: {username: "x", password: "y"}) { errors { code } } }
"""


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


async def test_variable_page_sizes_without_a_value_count_at_the_largest_page(
    client: httpx.AsyncClient,
) -> None:
    # when
    without_value = await gql(client, PAGED)
    small = await gql(client, PAGED, {"n": 1})
    null = await gql(client, PAGED, {"n": None})
    # then: null means the field's default page (20)
    assert refusal_limits(without_value) == ["cost"]
    assert without_value["errors"][0]["extensions"]["actual"] == 3 * (2 + 100 * 18) + 2
    assert error_codes(small) == error_codes(null) == ["UNAUTHENTICATED"]


async def test_variable_page_sizes_are_priced_with_the_request_variables(
    client: httpx.AsyncClient, resolver_calls: list[str]
) -> None:
    # given a document that is cheap at its default page size, run (and its validation cached) once
    with_default = PAGED.replace("$n: Int)", "$n: Int = 1)")
    assert error_codes(await gql(client, with_default)) == ["UNAUTHENTICATED"]
    resolver_calls.clear()
    # when the same document asks for 100 a page
    costly = await gql(client, with_default, {"n": 100})
    # then it is priced at 100 a page, before any resolver runs
    assert costly["data"] is None
    assert refusal_limits(costly) == ["cost"]
    assert costly["errors"][0]["extensions"]["actual"] == 3 * (2 + 100 * 18) + 2
    assert resolver_calls == []


async def test_guessing_operations_appear_once_per_request(client: httpx.AsyncClient) -> None:
    twice = (
        'mutation { a: signIn(input: {username: "x", password: "y"}) { token } '
        'b: signIn(input: {username: "x", password: "z"}) { token } }'
    )
    body = await gql(client, twice)
    assert refusal_limits(body) == ["single:signIn"]
    once = await gql(client, SIGN_IN, {"input": {"username": "x", "password": "y"}})
    assert once["data"]["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_guessing_operations_in_fragments_are_counted_too(
    client: httpx.AsyncClient, resolver_calls: list[str]
) -> None:
    # when
    fragmented = await gql(client, FRAGMENTED_SIGN_INS)
    twice = await gql(client, SPREAD_TWICE)
    # then
    assert fragmented["data"] is None
    assert refusal_limits(fragmented) == ["single:signIn"]
    assert fragmented["errors"][0]["extensions"]["actual"] == 3
    assert twice == {"data": {"signIn": {"errors": [{"code": "INVALID_CREDENTIALS"}]}}}


@pytest.mark.parametrize(
    ("field", "arguments"),
    [
        ("verifySignIn", 'input: {challengeId: "x", code: "123456"}'),
        ("verifyStepUp", 'code: "123456"'),
        ("requestStepUpCode", ""),
        ("resetPassword", 'input: {token: "t", newPassword: "p", securityAnswer: "a"}'),
        ("requestPasswordReset", 'input: {login: "x"}'),
        ("changePassword", 'input: {currentPassword: "a", newPassword: "b"}'),
        ("confirmContactChange", 'code: "123456"'),
        (
            "activateMember",
            'input: {token: "t", username: "u", password: "p", securityQuestion: "q", securityAnswer: "a"}',
        ),
        ("confirmTotp", 'code: "123456"'),
        ("secureAccount", 'token: "t"'),
        ("unlockMember", 'token: "t"'),
    ],
)
async def test_every_operation_that_checks_a_secret_appears_once_per_request(
    client: httpx.AsyncClient, field: str, arguments: str
) -> None:
    # given the field twice, once plainly and once in an inline fragment
    call = f"{field}({arguments})" if arguments else field
    document = f"mutation {{ a: {call} {{ __typename }} ... on Mutation {{ b: {call} {{ __typename }} }} }}"
    # when
    body = await gql(client, document)
    # then
    assert refusal_limits(body) == [f"single:{field}"]


async def test_too_many_tokens_are_refused_before_parsing(client: httpx.AsyncClient) -> None:
    huge = "{ " + " ".join("me { id }" for _ in range(600)) + " }"
    body = await gql(client, huge)
    assert body["data"] is None
    assert refusal_limits(body) == ["tokens"]


async def test_partner_keys_budget_prices_the_request_variables_too(client: httpx.AsyncClient) -> None:
    # given a key, and a document cheap at its default page size (1) and about 2,200 at 100 a page
    from models.access import Permission
    from tests.schema.partners.support import household, make_key

    _account, primary = await household()
    _, secret = await make_key(primary, Permission.VIEW_MEMBERS)
    member = "edges { node { id permissions username role status lastSignInAt displayName } }"
    pages = f"a: members(first: $n) {{ {member} }} b: members(first: $n) {{ {member} }}"
    page = f"query Page($n: Int = 1) {{ account {{ {pages} }} }}"
    # when
    at_default = await gql(client, page, token=secret)
    at_100 = await gql(client, page, {"n": 100}, token=secret)
    # then
    assert "errors" not in at_default
    assert refusal_limits(at_100) == ["cost"]
    assert at_100["errors"][0]["extensions"]["maximum"] == 2000


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
