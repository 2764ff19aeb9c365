"""While PostgreSQL holds a request's statement (a lock another connection keeps) or has no free pooled
connection, the request answers 503 within DATABASE_TIMEOUT_SECONDS (plus a margin), not never."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from tortoise import Tortoise, connections

from gateway.settings import Settings
from models.db.database import open_database
from tests.support import error_codes, make_account, make_member, sign_in

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="asyncpg's time-outs are PostgreSQL's")

DATABASE_TIMEOUT = 1.0
READINESS_TIMEOUT = 0.5
POOL_SIZE = 2
MARGIN = 3.0
ME = "{ me { username } }"


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.with_overrides(readiness_timeout_seconds=READINESS_TIMEOUT)


@pytest.fixture
async def short_database_timeout(settings: Settings) -> AsyncIterator[None]:
    """The session's database reopened with a one-second bound and a pool of two, then as it was."""
    await _reopen(f"{settings.database_url}?maxsize={POOL_SIZE}", DATABASE_TIMEOUT)
    yield
    await _reopen(settings.database_url)


async def _reopen(database_url: str, timeout_seconds: float | None = None) -> None:
    import tortoise.context

    await Tortoise.close_connections()
    tortoise.context._global_context = None
    if timeout_seconds is None:
        await open_database(database_url)
    else:
        await open_database(database_url, timeout_seconds=timeout_seconds)


async def test_a_request_whose_session_table_is_locked_answers_503(
    short_database_timeout: None, client: httpx.AsyncClient, settings: Settings
) -> None:
    # given a signed-in member, and another connection holding the session table
    account = await make_account()
    await make_member(account, "alice")
    token = await sign_in(client, "alice")
    locker = await asyncpg.connect(settings.database_url)
    try:
        await locker.execute("BEGIN; LOCK TABLE session IN ACCESS EXCLUSIVE MODE")
        # when
        async with asyncio.timeout(DATABASE_TIMEOUT + MARGIN):
            response = await client.post(
                "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"}
            )
    finally:
        await locker.close()
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["data"] is None
    assert error_codes(body) == ["SERVICE_UNAVAILABLE"]
    assert response.headers["retry-after"] == "5"
    # and the database answers again once the lock is gone
    assert (await client.get("/readyz")).status_code == 200


async def test_readiness_answers_503_in_time_while_no_pooled_connection_is_free(
    short_database_timeout: None, client: httpx.AsyncClient
) -> None:
    # given every pooled connection taken
    await connections.get("default").execute_query("SELECT 1")
    pool = connections.get("default")._pool
    taken = [await pool.acquire() for _ in range(POOL_SIZE)]
    try:
        # when
        async with asyncio.timeout(READINESS_TIMEOUT + MARGIN):
            response = await client.get("/readyz")
    finally:
        for connection in taken:
            await pool.release(connection)
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "redis": "ok"}
