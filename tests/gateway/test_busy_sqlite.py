"""SQLite's hung dependency: another process keeps the write lock past the busy time-out (5 s, models/db/
database.py). A resolver that must write answers 503 SERVICE_UNAVAILABLE, as on PostgreSQL
(tests/gateway/test_hung_database.py), not INTERNAL; and the process's later transactions still run."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3

import httpx
import pytest
from tortoise.transactions import in_transaction

from gateway.settings import Settings
from models.access import Role
from models.members.models import Member
from tests.support import gql, make_account, make_member, sign_in

BUSY_TIMEOUT = 5.0
MARGIN = 5.0
UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { member { displayName } } }
"""


@pytest.fixture
def sqlite_path(settings: Settings) -> str:
    if not settings.database_url.startswith("sqlite://"):
        pytest.skip(
            "SQLite's write lock; PostgreSQL's hung statements are tests/gateway/test_hung_database.py's"
        )
    return settings.database_url.removeprefix("sqlite://")


async def test_a_write_past_the_busy_time_out_answers_503_service_unavailable(
    sqlite_path: str, client: httpx.AsyncClient
) -> None:
    # given a signed-in member, and another process holding the database's write lock
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    locker = sqlite3.connect(sqlite_path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        # when
        async with asyncio.timeout(BUSY_TIMEOUT + MARGIN):
            response = await client.post(
                "/graphql",
                json={"query": UPDATE_PROFILE, "variables": {"input": {"displayName": "Al"}}},
                headers={"authorization": f"Bearer {token}"},
            )
    finally:
        locker.rollback()
        locker.close()
    # then
    request_id = response.headers["x-request-id"]
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "A service this request needs is not answering. Try again shortly; "
                f"quote request id {request_id} if it persists.",
                "locations": [{"line": 2, "column": 41}],
                "path": ["updateProfile"],
                "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
            }
        ],
    }
    # and once the lock is gone, the change goes through, and the process's transactions run again (in a
    # task of their own, as another request's would)
    async with asyncio.timeout(MARGIN):
        body = await gql(client, UPDATE_PROFILE, {"input": {"displayName": "Al"}}, token=token)
        display_name = await asyncio.create_task(display_name_of("alice"), context=contextvars.Context())
    assert body == {"data": {"updateProfile": {"member": {"displayName": "Al"}}}}
    assert display_name == "Al"


async def display_name_of(username: str) -> str:
    async with in_transaction() as connection:
        return (await Member.get(username=username).using_db(connection)).display_name
