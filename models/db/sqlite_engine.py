"""tortoise's SQLite engine, with transactions that take the write lock when they begin.

SQLite's plain BEGIN takes no lock until the first write. A transaction that reads and then writes
while another process (the CLI, a separate worker) has written in between cannot upgrade its lock: it
fails at once with "database is locked", and the busy timeout does not help. BEGIN IMMEDIATE takes
the write lock first, so such a transaction waits its turn (up to the busy timeout) instead.

When it waited in vain (another process kept the lock past the busy timeout), tortoise would keep its
own lock of our one connection, and every later transaction of the process would wait for it for ever:
our transaction context lets go of it before the error goes on."""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise TransactionManagementError(error) from error


class ReleasingTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        connection: TransactionalDBClient = self.connection
        return connection


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return ReleasingTransactionContext(ImmediateTransactionWrapper(self), self._lock)


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    return ImmediateSqliteClient


client_class = ImmediateSqliteClient
