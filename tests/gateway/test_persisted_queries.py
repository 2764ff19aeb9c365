"""Automatic persisted queries (Apollo APQ) over GET and POST, and API keys limited to trusted documents."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from gateway import persisted
from gateway.app import Resources, create_app
from gateway.settings import Settings
from models.access import Permission, Role
from models.db.clock import utcnow
from models.partners import persisted_queries, trusted_documents
from models.partners.persisted_queries import PersistedQuery
from models.security.passwords import Passwords
from tests.schema.partners.support import household, make_key
from tests.support import make_member, sign_in
from workers.queue import Queue
from workers.runner import build_worker

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


# A comment-padded document: few tokens, 95 KB.
PADDED = "# " + "x" * 95_000 + "\n{ account { number } }"
INVALID = "{ account { nosuchfield } }"
UNPARSABLE = "{ account { number }"


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


@pytest.fixture
async def other_process(
    app_settings: Settings, passwords: Passwords, queue: Queue, gateway_redis: aioredis.Redis
) -> AsyncIterator[httpx.AsyncClient]:
    """A second web process, from another client address: it shares only the database and Redis."""
    app = create_app(app_settings, Resources(passwords=passwords, queue=queue, redis=gateway_redis))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield http


async def test_a_padded_document_is_refused_and_not_stored(client: httpx.AsyncClient) -> None:
    # when a 95 KB comment-padded document is registered, then asked for by its hash
    registering = await post(client, {"query": PADDED, "extensions": apq(sha256(PADDED))})
    later = await post(client, {"extensions": apq(sha256(PADDED))})
    # then
    assert registering.status_code == 400
    size = len(PADDED.encode())
    assert registering.json() == {
        "errors": [
            {
                "message": f"A persisted query may be at most 20000 bytes; this one has {size}."
                " Send it without extensions.persistedQuery.",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert later.json() == NOT_FOUND
    assert await PersistedQuery.all().count() == 0


async def test_only_documents_that_parse_and_validate_are_stored(client: httpx.AsyncClient) -> None:
    # when documents that cannot run are sent with their hashes, then asked for by hash
    invalid = await post(client, {"query": INVALID, "extensions": apq(sha256(INVALID))})
    unparsable = await post(client, {"query": UNPARSABLE, "extensions": apq(sha256(UNPARSABLE))})
    later = [await post(client, {"extensions": apq(sha256(doc))}) for doc in (INVALID, UNPARSABLE)]
    # then they ran (and were refused) as they would without a hash, and nothing was kept
    assert [error["extensions"]["code"] for error in invalid.json()["errors"]] == [
        "GRAPHQL_VALIDATION_FAILED"
    ]
    assert [error["extensions"]["code"] for error in unparsable.json()["errors"]] == [
        "GRAPHQL_VALIDATION_FAILED"
    ]
    assert [response.json() for response in later] == [NOT_FOUND, NOT_FOUND]
    assert await PersistedQuery.all().count() == 0


async def test_each_client_stores_a_bounded_number_of_documents_a_day(
    client: httpx.AsyncClient, other_process: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a quota of two new documents a day per client
    monkeypatch.setattr(persisted, "APQ_PER_CLIENT_PER_DAY", 2)
    documents = [f"{{ account {{ number }} n{n}: me {{ id }} }}" for n in range(3)]
    # when one client registers three, and another client registers the third
    ran = [await post(client, {"query": doc, "extensions": apq(sha256(doc))}) for doc in documents]
    by_hash = [await post(client, {"extensions": apq(sha256(doc))}) for doc in documents]
    other = await post(other_process, {"query": documents[2], "extensions": apq(sha256(documents[2]))})
    other_later = await post(client, {"extensions": apq(sha256(documents[2]))})
    # then every query ran, the first client's third was not stored, and the other client's was
    assert [r.json()["errors"][0]["extensions"]["code"] for r in ran] == ["UNAUTHENTICATED"] * 3
    assert [r.json() == NOT_FOUND for r in by_hash] == [False, False, True]
    assert other.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert other_later.json() != NOT_FOUND
    clients = await PersistedQuery.all().order_by("id").values_list("client", flat=True)
    assert clients == ["ip:203.0.113.7", "ip:203.0.113.7", "ip:198.51.100.9"]


async def test_the_store_is_the_database_shared_by_every_process_not_the_queue_redis(
    client: httpx.AsyncClient, other_process: httpx.AsyncClient, redis_url: str
) -> None:
    # given a member
    account, _ = await household()
    token = await sign_in(client, "pat")
    # when one process stores the query, and the other is asked for it by hash
    registering = await post(client, {"query": ACCOUNT, "extensions": apq(sha256(ACCOUNT))}, token)
    elsewhere = await post(other_process, {"extensions": apq(sha256(ACCOUNT))}, token)
    # then
    expected = {"data": {"account": {"number": account.number, "name": "The Smiths"}}}
    assert registering.json() == elsewhere.json() == expected
    redis = aioredis.from_url(redis_url)
    assert await redis.keys("apq:*") == []
    await redis.aclose()
    assert await PersistedQuery.filter(sha256=sha256(ACCOUNT)).values_list("document", flat=True) == [ACCOUNT]


async def test_expired_documents_are_not_served_and_the_hourly_clean_up_deletes_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # given a document stored eight days ago and one stored now
    eight_days_ago = utcnow() - timedelta(days=8)
    assert (
        await persisted_queries.store(
            sha256(OTHER), OTHER, "ip:192.0.2.1", per_client_per_day=100, max_entries=100, now=eight_days_ago
        )
        is persisted_queries.Stored.STORED
    )
    await post(client, {"query": ACCOUNT, "extensions": apq(sha256(ACCOUNT))})
    # when
    expired = await post(client, {"extensions": apq(sha256(OTHER))})
    swept = await persisted_queries.sweep_expired()
    # then
    assert expired.json() == NOT_FOUND
    assert swept == 1
    assert await PersistedQuery.all().values_list("sha256", flat=True) == [sha256(ACCOUNT)]
    [job] = [job for job in build_worker(settings).cron_jobs if job.name == "cron:sweep_persisted_queries"]
    assert (job.minute, job.second) == ({35}, {0})
