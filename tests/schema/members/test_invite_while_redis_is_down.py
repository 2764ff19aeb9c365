"""With Redis down, inviting still succeeds; the sweeper delivers the invitation once Redis is back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway.app import Resources, create_app
from gateway.redis_client import redis_client
from gateway.settings import Settings
from models.security.passwords import Passwords
from tests.schema.members.common import signed_in_primary
from tests.support import gql
from tests.workers.support import body_of, read_mail
from workers.delivery import sweep_outbox
from workers.queue import Queue
from workers.runner import run_burst

INVITE = """
mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { status } errors { code } } }
"""


@pytest.fixture
async def client_without_redis(settings: Settings, passwords: Passwords) -> AsyncIterator[httpx.AsyncClient]:
    down = Queue.unchecked("redis://127.0.0.1:1/0")
    down_redis = redis_client("redis://127.0.0.1:1/0")
    app = create_app(settings, Resources(passwords=passwords, queue=down, redis=down_redis))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield http
    await down.close()
    await down_redis.aclose()


async def test_invitation_is_delivered_exactly_once_after_redis_returns(
    client_without_redis: httpx.AsyncClient,
    settings: Settings,
    passwords: Passwords,
    queue: Queue,
    tmp_path: Path,
) -> None:
    # given a stepped-up primary, while the web process cannot reach Redis
    _account, _primary, token = await signed_in_primary(client_without_redis, passwords)
    # when
    body = await gql(
        client_without_redis,
        INVITE,
        {"input": {"displayName": "Bo Smith", "email": "bo@example.com", "role": "STANDARD"}},
        token=token,
    )
    # then the invitation is committed, and delivered once by the sweeper and a real worker
    assert body["data"]["inviteMember"] == {"member": {"status": "INVITED"}, "errors": []}
    worker_settings = settings.with_overrides(data_dir=tmp_path)
    for _ in range(2):
        await sweep_outbox({"queue": queue})
        await run_burst(worker_settings, database_open=True)
    invitations = [mail for mail in read_mail(worker_settings.mail_dir) if mail["To"] == "bo@example.com"]
    assert len(invitations) == 1
    assert "http://portal.test/activate?token=" in body_of(invitations[0])
