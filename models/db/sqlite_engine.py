"""tortoise's SQLite engine, with transactions that take the write lock when they begin.

SQLite's plain BEGIN takes no lock until the first write. A transaction that reads and then writes
while another process (the CLI, a separate worker) has written in between cannot upgrade its lock: it
fails at once with "database is locked", and the busy timeout does not help. BEGIN IMMEDIATE takes
the write lock first, so such a transaction waits its turn (up to the busy timeout) instead."""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise TransactionManagementError(error) from error


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    return ImmediateSqliteClient


client_class = ImmediateSqliteClient
