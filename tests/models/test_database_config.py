"""Database configuration: the PostgreSQL pool's size and its cheap release."""

from __future__ import annotations

import os

import asyncpg
import pytest

from models.database import reset_on_release, tortoise_config

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))


def test_a_postgres_pool_gets_ten_connections_unless_the_url_says() -> None:
    """Twenty connections a process by default; `?maxsize=` in DATABASE_URL wins."""
    # when
    default = tortoise_config("postgres://app@db.internal:5432/portal")["connections"]["default"]
    chosen = tortoise_config("postgresql://app@db.internal:5432/portal?maxsize=3")["connections"]["default"]
    # then
    assert default["engine"] == "tortoise.backends.asyncpg"
    assert default["credentials"]["maxsize"] == 20
    assert int(chosen["credentials"]["maxsize"]) == 3
    assert default["credentials"]["reset"] is reset_on_release


def test_sqlite_keeps_its_file_and_pragmas() -> None:
    """SQLite is configured by file path with WAL and a busy timeout, and has no pool settings."""
    # when
    connection = tortoise_config("sqlite:///tmp/portal.sqlite3")["connections"]["default"]
    # then
    assert connection["credentials"] == {
        "file_path": "/tmp/portal.sqlite3",
        "journal_mode": "WAL",
        "busy_timeout": 5000,
    }


@pytest.mark.skipif(not ON_POSTGRES, reason="asyncpg connections are PostgreSQL's: set TEST_DATABASE_URL")
async def test_release_rolls_back_an_open_transaction_and_runs_no_reset_query() -> None:
    """A connection handed back mid-transaction is rolled back, so the next holder starts clean."""
    # given a connection left inside a transaction with a change in it
    connection = await asyncpg.connect(os.environ["TEST_DATABASE_URL"])
    try:
        await connection.execute("BEGIN")
        await connection.execute("CREATE TEMPORARY TABLE release_probe (id int)")
        assert connection.is_in_transaction()
        # when
        await reset_on_release(connection)
        # then
        assert not connection.is_in_transaction()
        with pytest.raises(asyncpg.UndefinedTableError):
            await connection.execute("SELECT * FROM release_probe")
        # and a connection not in a transaction is left as it is
        await reset_on_release(connection)
        assert await connection.fetchval("SELECT 1") == 1
    finally:
        await connection.close()
