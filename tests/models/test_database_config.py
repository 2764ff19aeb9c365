"""Database configuration: the PostgreSQL pool's size and its cheap release; SQLite's write lock."""

from __future__ import annotations

import os
import sqlite3

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from gateway.settings import Settings
from models.db.clock import utcnow
from models.db.database import reset_on_release, tortoise_config
from models.security.throttle import FailedSignIn

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))


def test_a_postgres_pool_gets_ten_connections_unless_the_url_says() -> None:
    """Twenty connections a process by default; `?maxsize=` in DATABASE_URL wins."""
    # when
    default = tortoise_config("postgres://app@db.internal:5432/portal")["connections"]["default"]
    chosen = tortoise_config("postgresql://app@db.internal:5432/portal?maxsize=3")["connections"]["default"]
    # then
    assert default["engine"] == "models.db.postgres_engine"
    assert default["credentials"]["maxsize"] == 20
    assert int(chosen["credentials"]["maxsize"]) == 3
    assert default["credentials"]["reset"] is reset_on_release


def test_postgres_statements_and_pool_waits_are_bounded_except_in_migrations() -> None:
    """DATABASE_TIMEOUT_SECONDS bounds each statement and the wait for a pooled connection."""
    # when
    bounded = tortoise_config("postgres://app@db.internal:5432/portal", 3.0)["connections"]["default"]
    unbounded = tortoise_config("postgres://app@db.internal:5432/portal", None)["connections"]["default"]
    # then
    assert bounded["engine"] == "models.db.postgres_engine"
    assert bounded["credentials"]["command_timeout"] == 3.0
    assert bounded["credentials"]["acquire_timeout"] == 3.0
    assert unbounded["engine"] == "tortoise.backends.asyncpg"
    assert "command_timeout" not in unbounded["credentials"]


def test_sqlite_keeps_its_file_and_pragmas() -> None:
    """SQLite is configured by file path with WAL and a busy timeout, and has no pool settings."""
    # when
    connection = tortoise_config("sqlite:///tmp/portal.sqlite3")["connections"]["default"]
    # then
    assert connection["engine"] == "models.db.sqlite_engine"
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


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's locking: runs on the default SQLite database")
async def test_a_sqlite_transaction_holds_the_write_lock_from_its_start(settings: Settings) -> None:
    """Another process (the CLI, a separate worker) that writes while a transaction has only read must
    wait for it, not make its later write fail with "database is locked"."""
    # given a transaction that has read
    async with in_transaction() as connection:
        await FailedSignIn.filter(ip_address="198.51.100.1").using_db(connection).count()
        # when another process tries to write meanwhile
        other = sqlite3.connect(settings.database_url.removeprefix("sqlite://"), timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("INSERT INTO failed_sign_in (ip_address, at) VALUES ('198.51.100.2', '2026-01-01')")
        other.close()
        # then the transaction's own write goes through
        await FailedSignIn.create(ip_address="198.51.100.1", at=utcnow(), using_db=connection)
    assert await FailedSignIn.filter(ip_address="198.51.100.1").count() == 1
