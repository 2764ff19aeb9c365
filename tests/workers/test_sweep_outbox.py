"""The outbox sweeper: what Redis lost (or never got) is queued again and delivered exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis.asyncio as aioredis

from gateway.embedded_redis import start_embedded_redis
from gateway.settings import Settings
from models.db.clock import utcnow
from models.members.models import Channel
from models.notify.outbox import CLAIM_SECONDS, MessageStatus, OutboxMessage, queue_message
from tests.support import run_worker_burst
from tests.workers.support import read_mail, wait_until_sent
from workers.delivery import sweep_outbox
from workers.queue import Queue
from workers.runner import run_burst, run_worker

DOWN_REDIS_URL = "redis://127.0.0.1:1/0"


async def queue_notice(recipient: str = "pat@example.com") -> OutboxMessage:
    return await queue_message(
        Channel.EMAIL, recipient, "Your plan changed.", kind="NOTICE", subject="Plan change"
    )


async def test_with_redis_down_the_message_waits_and_the_sweeper_delivers_it_once(
    worker_settings: Settings, queue: Queue
) -> None:
    # given: Redis is unreachable when the message is committed
    message = await queue_notice()
    down = Queue.unchecked(DOWN_REDIS_URL)
    queued_while_down = await down.deliver([(message.id, Channel.EMAIL)])
    await down.close()
    # when: Redis is back
    swept = await sweep_outbox({"queue": queue})
    await run_burst(worker_settings, database_open=True)
    swept_again = await sweep_outbox({"queue": queue})
    await run_burst(worker_settings, database_open=True)
    # then
    assert (queued_while_down, swept, swept_again) == (0, 1, 0)
    assert [mail["To"] for mail in read_mail(worker_settings.mail_dir)] == ["pat@example.com"]
    assert (await OutboxMessage.get(id=message.id)).status == MessageStatus.SENT


async def test_the_sweeper_does_not_queue_a_message_twice(queue: Queue) -> None:
    # given
    await queue_notice("a@example.com")
    await queue_notice("b@example.com")
    # when
    counts = [await sweep_outbox({"queue": queue}) for _ in range(2)]
    # then
    assert counts == [2, 0]


async def test_a_running_worker_delivers_a_message_nobody_queued_within_five_seconds(
    worker_settings: Settings,
) -> None:
    # given: a running worker, and a message committed without waking the queue (as the CLI does)
    worker = asyncio.create_task(run_worker(worker_settings, database_open=True))
    message = await queue_notice()
    # when
    sent_in_time = await wait_until_sent(message.id, seconds=5)
    worker.cancel()
    # then
    with pytest.raises(asyncio.CancelledError):
        await worker
    assert sent_in_time
    assert [mail["Subject"] for mail in read_mail(worker_settings.mail_dir)] == ["Plan change"]


async def test_a_running_worker_survives_a_redis_restart(worker_settings: Settings, tmp_path: Path) -> None:
    # given: a worker on its own Redis, which then stops
    redis = start_embedded_redis(tmp_path / "redis")
    port = urlsplit(redis.url).port
    settings = worker_settings.with_overrides(redis_url=redis.url)
    worker = asyncio.create_task(run_worker(settings, database_open=True))
    await asyncio.sleep(0.3)
    redis.stop()
    message = await queue_notice()
    await asyncio.sleep(0.5)
    # when: Redis comes back on the same port
    redis = start_embedded_redis(tmp_path / "redis", port=port)
    try:
        sent_in_time = await wait_until_sent(message.id, seconds=5)
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
        redis.stop()
    # then
    assert sent_in_time
    assert [mail["Subject"] for mail in read_mail(worker_settings.mail_dir)] == ["Plan change"]


async def test_the_shared_burst_helper_delivers_pending_mail(worker_settings: Settings) -> None:
    # given
    await queue_notice("helper@example.com")
    # when
    await run_worker_burst(worker_settings)
    # then
    assert [mail["To"] for mail in read_mail(worker_settings.mail_dir)] == ["helper@example.com"]


async def test_the_sweeper_frees_the_jobs_of_deliveries_that_died_and_no_other(
    queue: Queue, redis_url: str
) -> None:
    # given: four messages whose jobs a worker started (arq's hold on each), then the worker was killed
    now = utcnow()
    lapsed, live, overdue, due = [await queue_notice(f"{name}@example.com") for name in "abcd"]
    await OutboxMessage.filter(id=lapsed.id).update(
        status=MessageStatus.SENDING, claimed_until=now - timedelta(seconds=1)
    )
    await OutboxMessage.filter(id=live.id).update(
        status=MessageStatus.SENDING, claimed_until=now + timedelta(seconds=30)
    )
    long_ago = now - timedelta(seconds=CLAIM_SECONDS + 5)
    await OutboxMessage.filter(id=overdue.id).update(next_attempt_at=long_ago)
    held = {message.id: f"arq:in-progress:outbox:{message.id}" for message in (lapsed, live, overdue, due)}
    client = aioredis.from_url(redis_url)
    for key in held.values():
        await client.set(key, b"1", ex=3610)
    # when
    await sweep_outbox({"queue": queue})
    # then
    still_held = {message_id for message_id, key in held.items() if await client.exists(key)}
    await client.aclose()
    assert still_held == {live.id, due.id}
