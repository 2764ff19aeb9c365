"""Tortoise configuration and start-up, shared by the web app, the workers and the CLI."""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

MODEL_MODULES = [
    "models.accounts.models",
    "models.members.models",
    "models.security.models",
    "models.activity",
    "models.notify.outbox",
    "models.security.lockout",
    "models.security.devices",
    "models.security.throttle",
    "models.services.models",
    "models.billing.models",
    "models.billing.processor",
    "models.billing.stripe_processor",
    "models.services.usage",
    "models.services.appointments",
    "models.services.outages",
    "models.partners.api_keys",
    "models.partners.trusted_documents",
    "models.partners.persisted_queries",
    "models.security.recovery",
]


# The default bound of one SQL statement, or of the wait for a pooled connection, on PostgreSQL (the web
# process passes its DATABASE_TIMEOUT_SECONDS); None for migrations, which may rightly run long.
TIMEOUT_SECONDS = 10.0


def tortoise_config(database_url: str, timeout_seconds: float | None = TIMEOUT_SECONDS) -> dict[str, Any]:
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    credentials: dict[str, Any] = {}
    if url.startswith("sqlite://"):
        # WAL and a busy timeout let the CLI and a running server write at the same time.
        credentials = {"journal_mode": "WAL", "busy_timeout": 5000}
    connection: str | dict[str, Any] = url
    if credentials:
        connection = {
            "engine": "models.db.sqlite_engine",
            "credentials": {"file_path": url[9:], **credentials},
        }
    elif url.startswith("postgres://"):
        connection = expand_db_url(url)
        # Twenty connections a process (tortoise's default is five): a dashboard request reads four
        # pages at once, and with ten, 16 concurrent requests queued for connections (p99 110-120 ms
        # against 81-85 ms with twenty, bench/RESULTS.md). `?maxsize=N` in DATABASE_URL overrides it.
        connection["credentials"].setdefault("maxsize", 20)
        connection["credentials"]["reset"] = reset_on_release
        if timeout_seconds is not None:
            # A statement waiting on a lock or a database that stopped answering raises TimeoutError
            # (asyncpg cancels it on the server) rather than holding the request and its connection.
            connection["engine"] = "models.db.postgres_engine"
            connection["credentials"]["command_timeout"] = timeout_seconds
            connection["credentials"]["acquire_timeout"] = timeout_seconds
    return {
        "connections": {"default": connection},
        "apps": {
            "gateway": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def reset_on_release(connection: asyncpg.Connection) -> None:
    """asyncpg's pool resets a connection on release with a query (advisory locks, cursors, LISTEN,
    session settings), one more round trip for each statement, since tortoise releases after every
    one. This code uses none of those; it only must never hand on an open transaction."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def open_database(database_url: str, timeout_seconds: float | None = TIMEOUT_SECONDS) -> None:
    await Tortoise.init(config=tortoise_config(database_url, timeout_seconds), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    """Apply tortoise-orm's migrations in models/migrations (what `gateway migrate` runs)."""
    from tortoise.migrations.api import migrate as run_migrations

    await run_migrations(config=tortoise_config(database_url, timeout_seconds=None))
    await Tortoise.close_connections()
