"""tortoise's asyncpg engine, whose pool waits a bounded time for a free connection.

asyncpg bounds each statement (`command_timeout`), but tortoise takes a pooled connection with no
time-out: when the database hangs and every connection is stuck, requests would queue for one without
end. With `acquire_timeout` in the credentials, the wait ends with TimeoutError instead."""

from __future__ import annotations

from typing import Any

import asyncpg
from asyncpg.pool import PoolAcquireContext
from tortoise.backends.asyncpg.client import AsyncpgDBClient


class BoundedPool(asyncpg.Pool):  # type: ignore[misc]
    __slots__ = ("acquire_timeout",)

    def __init__(self, *args: Any, acquire_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> PoolAcquireContext:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)


class BoundedAsyncpgClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        # asyncpg.create_pool's own defaults, which its Pool class does not have.
        options = {
            "max_queries": 50000,
            "max_inactive_connection_lifetime": 300.0,
            "record_class": asyncpg.Record,
        }
        return await BoundedPool(None, **(options | kwargs))


client_class = BoundedAsyncpgClient
