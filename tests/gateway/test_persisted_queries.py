"""Automatic persisted queries (Apollo APQ) over GET and POST, and API keys limited to trusted documents."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest

from models import trusted_documents
from models.access import Permission, Role
from tests.schema.partners.support import household, make_key
from tests.support import make_member, sign_in

ACCOUNT = "{ account { number name } }"
OTHER = "{ account { timeZone } }"
NOT_FOUND = {
    "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
}
NOT_TRUSTED = {
    "data": None,
    "errors": [
        {
            "message": "This API key may run only its trusted documents.",
            "extensions": {"code": "QUERY_NOT_TRUSTED"},
        }
    ],
}


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def apq(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def bearer(token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"} if token else {}


async def post(
    client: httpx.AsyncClient, payload: dict[str, Any], token: str | None = None
) -> httpx.Response:
    return await client.post("/graphql", json=payload, headers=bearer(token))


async def test_hash_only_is_not_found_until_the_query_registers_it(client: httpx.AsyncClient) -> None:
    # given a partner key that can read the account, and no persisted query yet
    account, primary = await household()
    _, secret = await make_key(primary, Permission.VIEW_BILLING)
    digest = sha256(ACCOUNT)
    # when the client sends the hash alone, then hash and query, then the hash alone again
    before = await post(client, {"extensions": apq(digest)}, secret)
    registering = await post(client, {"query": ACCOUNT, "extensions": apq(digest)}, secret)
    after = await post(client, {"extensions": apq(digest)}, secret)
    full = await post(client, {"query": ACCOUNT}, secret)
    # then the first asks for the query, the others run it
    assert (before.status_code, before.json()) == (200, NOT_FOUND)
    expected = {"data": {"account": {"number": account.number, "name": "The Smiths"}}}
    assert (registering.status_code, registering.json()) == (200, expected)
    assert (after.status_code, after.json()) == (200, full.json()) == (200, expected)


async def test_get_with_hash_only_runs_a_registered_query(client: httpx.AsyncClient) -> None:
    # given a member whose client registered the query over GET
    account, _ = await household()
    await make_member(account, "sam", role=Role.STANDARD)
    token = await sign_in(client, "sam")
    digest = sha256(ACCOUNT)
    extensions = json.dumps(apq(digest))
    unknown = await client.get("/graphql", params={"extensions": extensions}, headers=bearer(token))
    registering = await client.get(
        "/graphql", params={"query": ACCOUNT, "extensions": extensions}, headers=bearer(token)
    )
    # when the hash alone is sent over GET
    response = await client.get("/graphql", params={"extensions": extensions}, headers=bearer(token))
    # then
    assert unknown.json() == NOT_FOUND
    expected = {"data": {"account": {"number": account.number, "name": "The Smiths"}}}
    assert registering.json() == response.json() == expected


async def test_a_hash_that_does_not_match_the_query_is_a_bad_request(client: httpx.AsyncClient) -> None:
    # when
    response = await post(client, {"query": ACCOUNT, "extensions": apq(sha256(OTHER))})
    later = await post(client, {"extensions": apq(sha256(OTHER))})
    # then nothing was stored under the wrong hash
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "provided sha does not match query", "extensions": {"code": "BAD_REQUEST"}}]
    }
    assert later.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ("yes", "`extensions` must be a JSON object."),
        ({"persistedQuery": "abc"}, "`extensions.persistedQuery` must be a JSON object."),
        (
            {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}},
            "Unsupported persisted query version: only 1 is supported.",
        ),
        (
            {"persistedQuery": {"version": True, "sha256Hash": "a" * 64}},
            "Unsupported persisted query version: only 1 is supported.",
        ),
        (
            {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}},
            "`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits.",
        ),
        (
            {"persistedQuery": {"version": 1}},
            "`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits.",
        ),
    ],
)
async def test_bad_extensions_are_a_bad_request(
    client: httpx.AsyncClient, extensions: Any, message: str
) -> None:
    # when
    response = await post(client, {"extensions": extensions})
    # then
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}


async def test_bad_extensions_json_over_get_is_a_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"extensions": "{not json"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "`extensions` is not valid JSON.", "extensions": {"code": "BAD_REQUEST"}}]
    }


async def test_without_a_hash_the_query_is_still_required(client: httpx.AsyncClient) -> None:
    response = await post(client, {"extensions": {}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "`query` must be a non-empty string."


async def test_a_key_with_trusted_documents_runs_only_those(client: httpx.AsyncClient) -> None:
    # given a key in allow-list mode with one trusted document
    account, primary = await household()
    key, secret = await make_key(primary, Permission.VIEW_BILLING)
    await trusted_documents.register(key.id, [ACCOUNT])
    # when it sends the document by text, by hash alone (never stored in Redis), and another document
    by_text = await post(client, {"query": ACCOUNT}, secret)
    by_hash = await post(client, {"extensions": apq(sha256(ACCOUNT))}, secret)
    other = await post(client, {"query": OTHER}, secret)
    other_by_hash = await post(client, {"query": OTHER, "extensions": apq(sha256(OTHER))}, secret)
    unknown_hash = await post(client, {"extensions": apq(sha256(OTHER))}, secret)
    # then
    expected = {"data": {"account": {"number": account.number, "name": "The Smiths"}}}
    assert by_text.json() == by_hash.json() == expected
    for refused in (other, other_by_hash, unknown_hash):
        assert (refused.status_code, refused.json()) == (200, NOT_TRUSTED)


async def test_keys_without_trusted_documents_and_members_are_unaffected(client: httpx.AsyncClient) -> None:
    # given one key in allow-list mode, another key of the account without, and a member
    account, primary = await household()
    restricted, _ = await make_key(primary, Permission.VIEW_BILLING, name="Locked app")
    _, free_secret = await make_key(primary, Permission.VIEW_BILLING, name="Open app")
    await trusted_documents.register(restricted.id, [ACCOUNT])
    member_token = await sign_in(client, "pat")
    # when both run a document nobody trusted
    by_key = await post(client, {"query": OTHER}, free_secret)
    by_member = await post(client, {"query": OTHER}, member_token)
    # then
    assert by_key.json() == by_member.json() == {"data": {"account": {"timeZone": "America/Chicago"}}}
    assert account.time_zone == "America/Chicago"
