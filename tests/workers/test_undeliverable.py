"""A message that cannot be built, or whose recipient the mail server refuses for good, fails once and
visibly (FAILED with the reason, an error logged) and is never tried again; a subject that stored data
would break (CR/LF from a name) is sent on one line, so no header can be injected."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from gateway.settings import Settings
from models.db.clock import utcnow
from models.members.models import Channel
from models.notify.outbox import MessageStatus, OutboxMessage, due_message_ids, queue_message
from tests.workers.support import body_of, read_mail, smtp_server
from workers.delivery import send_email
from workers.runner import run_burst


async def stored(recipient: str, subject: str) -> OutboxMessage:
    """A row as older code, or a bad value that got past the checks, left it (not via queue_message)."""
    return await OutboxMessage.create(
        channel=Channel.EMAIL,
        recipient=recipient,
        subject=subject,
        body="Hello,\n\nYou have been invited.\n",
        kind="INVITATION",
        next_attempt_at=utcnow(),
    )


async def test_a_stored_subject_with_cr_lf_is_sent_on_one_line_without_an_injected_header(
    worker_settings: Settings,
) -> None:
    # given: the invitation of an account whose name held CR/LF (it failed and retried forever)
    message = await stored("lee@example.com", "You're invited to The Smiths\r\nBcc: evil@example.com")
    # when
    await run_burst(worker_settings, database_open=True)
    # then
    [mail] = read_mail(worker_settings.mail_dir)
    assert mail["Subject"] == "You're invited to The Smiths Bcc: evil@example.com"
    assert mail["Bcc"] is None
    assert body_of(mail) == "Hello,\n\nYou have been invited.\n"
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.SENT, 1, None)


async def test_queue_message_keeps_subjects_on_one_line_and_within_the_column() -> None:
    # when
    message = await queue_message(
        Channel.EMAIL, "lee@example.com", "Hi", kind="NOTICE", subject="A\r\nB\u2028C\tD " + "x" * 300
    )
    # then
    row = await OutboxMessage.get(id=message.id)
    assert row.subject.startswith("A B C D xxx")
    assert (len(row.subject), row.subject[-1]) == (200, "…")


@pytest.mark.parametrize(
    "recipient", ["not an address", "lee@example.com\r\nBcc: evil@example.com", "lee\u202e@example.com"]
)
async def test_a_message_that_cannot_be_built_fails_once_and_is_never_retried(
    worker_settings: Settings, caplog: pytest.LogCaptureFixture, recipient: str
) -> None:
    # given
    message = await stored(recipient, "You're invited")
    # when: a worker tries it, its backoff would have passed, and more workers and the sweeper run
    with caplog.at_level(logging.ERROR, logger="workers.delivery"):
        await run_burst(worker_settings, database_open=True)
    await OutboxMessage.filter(id=message.id).update(next_attempt_at=utcnow() - timedelta(hours=1))
    await run_burst(worker_settings, database_open=True)
    # then
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 1)
    assert row.last_error == "the recipient is not an e-mail address"
    assert message.id not in [pk for pk, _ in await due_message_ids()]
    assert read_mail(worker_settings.mail_dir) == []
    assert [record.getMessage() for record in caplog.records] == [
        f"outbox message {message.id} (INVITATION) cannot be delivered, given up: "
        "the recipient is not an e-mail address"
    ]


async def test_a_running_worker_does_not_retry_it_either(worker_settings: Settings) -> None:
    # given
    message = await stored("not an address", "You're invited")
    ctx = {"settings": worker_settings, "job_try": 1}  # a running worker's first try: it would Retry
    # when
    outcome = await send_email(ctx, message.id)
    again = await send_email(ctx, message.id)
    # then
    assert (outcome, again) == ("undeliverable", "skipped")
    assert (await OutboxMessage.get(id=message.id)).status == MessageStatus.FAILED


async def test_a_recipient_the_smtp_server_refuses_for_good_fails_once(worker_settings: Settings) -> None:
    # given
    message = await stored("gone@example.com", "You're invited")
    async with smtp_server(refused={"gone@example.com"}) as server:
        settings = worker_settings.with_overrides(smtp_url=server.url)
        # when
        await run_burst(settings, database_open=True)
    # then
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 1)
    assert row.last_error == "the mail server refused the recipient: 550 5.1.1 no such mailbox"
    assert server.received == []
