"""send_email: the .eml file backend, SMTP, and exactly-once delivery under duplicates."""

from __future__ import annotations

import asyncio

from gateway.settings import Settings
from models.members.models import Channel
from models.notify.outbox import MessageStatus, OutboxMessage, queue_message
from tests.workers.support import body_of, read_mail, smtp_server
from workers.delivery import send_email
from workers.queue import Queue
from workers.runner import run_burst


async def queue_welcome(recipient: str = "pat@example.com") -> OutboxMessage:
    return await queue_message(
        Channel.EMAIL,
        recipient,
        "Welcome!\n\nActivate: http://portal.test/activate?token=abc\n",
        kind="WELCOME",
        subject="Activate your account",
    )


async def test_a_queued_email_is_written_as_an_eml_file_once(worker_settings: Settings, queue: Queue) -> None:
    # given
    message = await queue_welcome()
    assert await queue.deliver([(message.id, Channel.EMAIL)]) == 1
    # when
    await run_burst(worker_settings, database_open=True)
    await run_burst(worker_settings, database_open=True)
    # then
    mail = read_mail(worker_settings.mail_dir)
    assert len(mail) == 1
    assert mail[0]["To"] == "pat@example.com"
    assert mail[0]["From"] == "no-reply@localhost"
    assert mail[0]["Subject"] == "Activate your account"
    assert mail[0]["Message-ID"] == f"<outbox-{message.id}@localhost>"
    assert mail[0]["Date"] is not None
    assert body_of(mail[0]) == "Welcome!\n\nActivate: http://portal.test/activate?token=abc\n"
    assert [path.name.endswith(f"-{message.id}.eml") for path in worker_settings.mail_dir.iterdir()] == [True]
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.SENT, 1, None)
    assert row.sent_at is not None


async def test_a_message_enqueued_twice_is_sent_once(worker_settings: Settings, queue: Queue) -> None:
    # given
    message = await queue_welcome()
    # when
    queued = [await queue.deliver([(message.id, Channel.EMAIL)]) for _ in range(2)]
    await run_burst(worker_settings, database_open=True)
    # then
    assert queued == [1, 0]
    assert len(read_mail(worker_settings.mail_dir)) == 1


async def test_two_concurrent_deliveries_of_one_message_send_it_once(worker_settings: Settings) -> None:
    # given
    message = await queue_welcome()
    ctx = {"settings": worker_settings, "job_try": 1}
    # when
    outcomes = await asyncio.gather(send_email(ctx, message.id), send_email(ctx, message.id))
    # then
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(read_mail(worker_settings.mail_dir)) == 1
    assert (await OutboxMessage.get(id=message.id)).status == MessageStatus.SENT


async def test_a_burst_worker_delivers_what_was_never_queued(worker_settings: Settings) -> None:
    # given: committed to the outbox, but nobody woke the queue (as the CLI does)
    message = await queue_welcome()
    # when
    await run_burst(worker_settings, database_open=True)
    # then
    assert [mail["To"] for mail in read_mail(worker_settings.mail_dir)] == ["pat@example.com"]
    assert (await OutboxMessage.get(id=message.id)).status == MessageStatus.SENT


async def test_with_smtp_url_the_email_goes_to_the_smtp_server(
    worker_settings: Settings, queue: Queue
) -> None:
    # given
    message = await queue_welcome("lee@example.com")
    async with smtp_server() as server:
        settings = worker_settings.with_overrides(smtp_url=server.url, mail_from="billing@isp.test")
        # when
        await run_burst(settings, database_open=True)
    # then
    assert server.envelopes == [("billing@isp.test", ["lee@example.com"])]
    assert server.received[0]["Subject"] == "Activate your account"
    assert server.received[0]["Message-ID"] == f"<outbox-{message.id}@isp.test>"
    assert read_mail(worker_settings.mail_dir) == []
    assert (await OutboxMessage.get(id=message.id)).status == MessageStatus.SENT


async def test_an_unreachable_smtp_server_leaves_the_message_pending(worker_settings: Settings) -> None:
    # given
    message = await queue_welcome()
    settings = worker_settings.with_overrides(smtp_url="smtp://127.0.0.1:1")
    # when
    await run_burst(settings, database_open=True)
    # then
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 1)
    assert row.last_error is not None
    assert row.last_error.startswith("SMTPConnectError")
