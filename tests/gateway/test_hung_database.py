"""While PostgreSQL holds a request's statement (a lock another connection keeps), has no free pooled
connection or drops the connection, the request answers 503 SERVICE_UNAVAILABLE within
DATABASE_TIMEOUT_SECONDS (plus a margin), not never and not INTERNAL: before execution (the session
lookup) and inside a resolver alike."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from tortoise import Tortoise, connections

from gateway.settings import Settings
from models.access import Role
from models.accounts.models import Account
from models.db.database import open_database
from tests.support import error_codes, make_account, make_member, sign_in

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="asyncpg's time-outs are PostgreSQL's")

DATABASE_TIMEOUT = 1.0
READINESS_TIMEOUT = 0.5
POOL_SIZE = 2
MARGIN = 3.0
ME = "{ me { username } }"
STATEMENTS = "{ account { number statements { totalCount } } }"
# Long enough that only the dropped connection, not the time-out, can end the statement.
LONG_DATABASE_TIMEOUT = 30.0


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.with_overrides(readiness_timeout_seconds=READINESS_TIMEOUT)


@pytest.fixture
async def short_database_timeout(settings: Settings) -> AsyncIterator[None]:
    """The session's database reopened with a one-second bound and a pool of two, then as it was."""
    await _reopen(f"{settings.database_url}?maxsize={POOL_SIZE}", DATABASE_TIMEOUT)
    yield
    await _reopen(settings.database_url)


@pytest.fixture
async def long_database_timeout(settings: Settings) -> AsyncIterator[None]:
    await _reopen(settings.database_url, LONG_DATABASE_TIMEOUT)
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
    async with locked(settings, "session"):
        # when
        async with asyncio.timeout(DATABASE_TIMEOUT + MARGIN):
            response = await client.post(
                "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"}
            )
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


def unavailable_at(path: list[str], column: int, request_id: str) -> dict[str, object]:
    return {
        "message": "A service this request needs is not answering. Try again shortly; "
        f"quote request id {request_id} if it persists.",
        "locations": [{"line": 1, "column": column}],
        "path": path,
        "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
    }


@asynccontextmanager
async def locked(settings: Settings, table: str) -> AsyncIterator[asyncpg.Connection]:
    """Another connection holding `table` in a transaction until the block ends."""
    locker = await asyncpg.connect(settings.database_url)
    try:
        await locker.execute(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield locker
    finally:
        await locker.close()


async def statements_of(client: httpx.AsyncClient) -> tuple[Account, Callable[[], Awaitable[httpx.Response]]]:
    """A signed-in primary's account, and its request for the account's statements."""
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")

    def request() -> Awaitable[httpx.Response]:
        return client.post(
            "/graphql", json={"query": STATEMENTS}, headers={"authorization": f"Bearer {token}"}
        )

    return account, request


async def test_a_resolver_whose_table_is_locked_answers_503_service_unavailable(
    short_database_timeout: None, client: httpx.AsyncClient, settings: Settings
) -> None:
    # given a signed-in member, and another connection holding the statement table
    account, statements = await statements_of(client)
    async with locked(settings, "statement"):
        # when the statements field waits past the command time-out
        async with asyncio.timeout(DATABASE_TIMEOUT + MARGIN):
            response = await statements()
    # then that field is SERVICE_UNAVAILABLE (no SQL, no trace), the rest answered, and the status says
    # to try again
    request_id = response.headers["x-request-id"]
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {
        "data": {"account": {"number": account.number, "statements": None}},
        "errors": [unavailable_at(["account", "statements"], 20, request_id)],
    }
    # and the same request answers once the lock is gone
    again = await statements()
    assert again.status_code == 200
    assert again.json() == {"data": {"account": {"number": account.number, "statements": {"totalCount": 0}}}}


async def test_a_resolver_whose_connection_is_dropped_answers_503_service_unavailable(
    long_database_timeout: None, client: httpx.AsyncClient, settings: Settings
) -> None:
    # given a signed-in member whose statements query waits on a lock
    _, statements = await statements_of(client)
    async with locked(settings, "statement") as locker:
        request = asyncio.create_task(statements())
        waiting = await _backend_waiting_on_a_lock(locker)
        # when the server drops that connection (an administrator, a failover, a restart)
        await locker.execute("SELECT pg_terminate_backend($1)", waiting)
        async with asyncio.timeout(MARGIN):
            response = await request
    # then
    assert response.status_code == 503
    assert response.json()["errors"] == [
        unavailable_at(["account", "statements"], 20, response.headers["x-request-id"])
    ]


async def _backend_waiting_on_a_lock(locker: asyncpg.Connection) -> int:
    async with asyncio.timeout(MARGIN):
        while True:
            pid = await locker.fetchval(
                "SELECT pid FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if pid is not None:
                return int(pid)
            await asyncio.sleep(0.02)
