"""Which errors say the database did not answer in time or could not be reached, rather than that our code
or a statement is wrong: the caller may try again shortly, and the request answers SERVICE_UNAVAILABLE."""

from __future__ import annotations

import sqlite3

import asyncpg
from tortoise.exceptions import DBConnectionError

UNAVAILABLE = (
    # asyncpg's command_timeout and the pool's acquire_timeout (models/db/postgres_engine.py)
    TimeoutError,
    # a refused, reset or unreachable connection
    OSError,
    DBConnectionError,
    # a connection lost mid-statement (ConnectionDoesNotExistError) or refused by the server
    asyncpg.PostgresConnectionError,
    # the server shutting down or starting up, our backend terminated, the statement cancelled
    asyncpg.exceptions.OperatorInterventionError,
    # too many connections, out of memory or disk
    asyncpg.exceptions.InsufficientResourcesError,
)
# SQLite's "database is locked": another writer kept it past the busy time-out.
SQLITE_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def database_unavailable(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from (tortoise wraps the driver's), is one of those."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UNAVAILABLE):
            return True
        if isinstance(cause, sqlite3.OperationalError) and cause.sqlite_errorcode in SQLITE_BUSY:
            return True
        cause = cause.__cause__
    return False
