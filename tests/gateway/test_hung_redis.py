"""While Redis takes connections but never answers (SIGSTOP), every request still answers in time:
readiness says 503, a mutation's outbox wake-up gives up (the message goes out once Redis is back), and
an API key's rate-limit check lets the request through (fail-open, as documented in gateway/rate_limit.py).

Each `asyncio.timeout` is the configured time-out plus a margin: without the time-outs these hang."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from gateway.app import Resources, create_app
from gateway.redis_client import redis_client
from gateway.settings import Settings
from models.access import Permission
from models.security.passwords import Passwords
from tests.gateway.stoppable_redis import StoppableRedis, stoppable_redis
from tests.schema.members.common import signed_in_primary
from tests.schema.partners.support import household, make_key
from tests.support import gql
from tests.workers.support import body_of, read_mail
from workers.delivery import sweep_outbox
from workers.queue import Queue
from workers.runner import run_burst

READINESS_TIMEOUT = 0.5
REDIS_TIMEOUT = Settings().redis_socket_timeout_seconds
MARGIN = 3.0
INVITE = """
mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { status } errors { code } } }
"""
ACCOUNT = "{ account { number } }"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[StoppableRedis]:
    with stoppable_redis(tmp_path) as server:
        yield server


@pytest.fixture
def own_settings(settings: Settings, redis_server: StoppableRedis) -> Settings:
    return settings.with_overrides(redis_url=redis_server.url, readiness_timeout_seconds=READINESS_TIMEOUT)


@pytest.fixture
async def own_client(
    own_settings: Settings, passwords: Passwords, redis_server: StoppableRedis
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the test's own Redis, with the clients its lifespan makes (default time-outs)."""
    queue = Queue.unchecked(redis_server.url)
    redis = redis_client(redis_server.url)
    app = create_app(own_settings, Resources(passwords=passwords, queue=queue, redis=redis))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield http
    redis_server.resume()
    await queue.close()
    await redis.aclose()


async def test_readiness_answers_503_in_time_while_redis_hangs(
    own_client: httpx.AsyncClient, redis_server: StoppableRedis
) -> None:
    # given
    assert (await own_client.get("/readyz")).status_code == 200
    redis_server.stop()
    # when
    async with asyncio.timeout(READINESS_TIMEOUT + MARGIN):
        response = await own_client.get("/readyz")
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


async def test_a_mutation_answers_while_redis_hangs_and_its_mail_goes_out_after(
    own_client: httpx.AsyncClient,
    own_settings: Settings,
    passwords: Passwords,
    redis_server: StoppableRedis,
    tmp_path: Path,
) -> None:
    # given a stepped-up primary, then a Redis that stops answering
    _account, _primary, token = await signed_in_primary(own_client, passwords)
    redis_server.stop()
    # when an invitation commits and the web process tries to wake the outbox relay
    async with asyncio.timeout(REDIS_TIMEOUT + MARGIN):
        body = await gql(
            own_client,
            INVITE,
            {"input": {"displayName": "Bo Smith", "email": "bo@example.com", "role": "STANDARD"}},
            token=token,
        )
    # then the answer came, and once Redis is back the relay and a worker deliver the invitation once
    assert body == {"data": {"inviteMember": {"member": {"status": "INVITED"}, "errors": []}}}
    redis_server.resume()
    worker_settings = own_settings.with_overrides(data_dir=tmp_path / "worker")
    queue = await Queue.connect(redis_server.url)
    try:
        for _ in range(2):
            await sweep_outbox({"queue": queue})
            await run_burst(worker_settings, database_open=True)
    finally:
        await queue.close()
    invitations = [mail for mail in read_mail(worker_settings.mail_dir) if mail["To"] == "bo@example.com"]
    assert len(invitations) == 1
    assert "http://portal.test/activate?token=" in body_of(invitations[0])


async def test_an_api_key_request_goes_through_while_the_rate_limit_counter_hangs(
    own_client: httpx.AsyncClient, redis_server: StoppableRedis
) -> None:
    # given
    account, primary = await household()
    _, secret = await make_key(primary, Permission.VIEW_BILLING)
    redis_server.stop()
    # when
    async with asyncio.timeout(REDIS_TIMEOUT + MARGIN):
        body = await gql(own_client, ACCOUNT, token=secret)
    # then: fail-open, the key's permissions still checked by the database
    assert body == {"data": {"account": {"number": account.number}}}
