"""send_sms: the JSON-lines file backend, the HTTP provider, and retry with backoff when it fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from arq import Retry

from gateway.settings import Settings
from models.db.clock import utcnow
from models.members.models import Channel
from models.notify.outbox import MessageStatus, OutboxMessage, queue_message
from tests.workers.support import read_sms, sms_provider
from workers.delivery import MAX_TRIES, send_sms
from workers.queue import Queue
from workers.runner import run_burst

CODE_BODY = "Your Spectrum-style portal code is\n123456\n"


async def queue_code(recipient: str = "+13125550100") -> OutboxMessage:
    return await queue_message(Channel.SMS, recipient, CODE_BODY, kind="CODE")


async def test_without_sms_url_an_sms_is_one_json_line(worker_settings: Settings, queue: Queue) -> None:
    # given
    message = await queue_code()
    await queue.deliver([(message.id, Channel.SMS)])
    # when
    await run_burst(worker_settings, database_open=True)
    await run_burst(worker_settings, database_open=True)
    # then
    lines = read_sms(worker_settings.sms_file)
    assert [(line["to"], line["body"], line["messageId"]) for line in lines] == [
        ("+13125550100", CODE_BODY, message.id)
    ]
    assert lines[0]["at"].endswith("+00:00")
    assert (await OutboxMessage.get(id=message.id)).status == MessageStatus.SENT


async def test_with_sms_url_an_sms_is_posted_to_the_provider(worker_settings: Settings, queue: Queue) -> None:
    # given
    message = await queue_code()
    await queue.deliver([(message.id, Channel.SMS)])
    async with sms_provider() as provider:
        # when
        await run_burst(worker_settings.with_overrides(sms_url=provider.url), database_open=True)
    # then
    assert provider.received == [{"to": "+13125550100", "body": CODE_BODY, "messageId": message.id}]
    assert read_sms(worker_settings.sms_file) == []
    assert (await OutboxMessage.get(id=message.id)).status == MessageStatus.SENT


async def test_a_provider_error_leaves_the_sms_pending_until_a_later_run_sends_it_once(
    worker_settings: Settings, queue: Queue
) -> None:
    # given: the provider fails once
    message = await queue_code()
    await queue.deliver([(message.id, Channel.SMS)])
    async with sms_provider(statuses=[500]) as provider:
        settings = worker_settings.with_overrides(sms_url=provider.url)
        # when
        await run_burst(settings, database_open=True)
        # then: kept, counted, and due again after the backoff
        failed = await OutboxMessage.get(id=message.id)
        assert (failed.status, failed.attempts) == (MessageStatus.PENDING, 1)
        assert failed.next_attempt_at > utcnow() + timedelta(seconds=3)
        assert failed.last_error is not None
        assert failed.last_error.startswith("HTTPStatusError: Server error '500 Internal Server Error'")
        # when: a run before the backoff has passed leaves it alone; one after it sends it
        await run_burst(settings, database_open=True)
        assert len(provider.received) == 1
        await OutboxMessage.filter(id=message.id).update(next_attempt_at=utcnow() - timedelta(seconds=1))
        await run_burst(settings, database_open=True)
        await run_burst(settings, database_open=True)
    # then
    assert len(provider.received) == 2
    sent = await OutboxMessage.get(id=message.id)
    assert (sent.status, sent.attempts, sent.last_error) == (MessageStatus.SENT, 2, None)


async def test_a_running_worker_retries_a_failed_sms_with_backoff(worker_settings: Settings) -> None:
    # given
    message = await queue_code()
    async with sms_provider(statuses=[503]) as provider:
        ctx = {"settings": worker_settings.with_overrides(sms_url=provider.url), "job_try": 1}
        # when
        with pytest.raises(Retry) as retry:
            await send_sms(ctx, message.id)
    # then
    assert retry.value.defer_score == 5000
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 1)


async def test_after_the_last_try_the_job_ends_and_the_sms_waits_for_the_sweeper(
    worker_settings: Settings,
) -> None:
    # given
    message = await queue_code()
    async with sms_provider(statuses=[500]) as provider:
        ctx = {"settings": worker_settings.with_overrides(sms_url=provider.url), "job_try": MAX_TRIES}
        # when
        outcome = await send_sms(ctx, message.id)
    # then
    assert outcome == "failed"
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 1)
    assert row.next_attempt_at > utcnow()
