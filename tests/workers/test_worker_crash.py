"""A worker killed (SIGKILL) with a message in hand: `gateway worker` processes on the test database and
Redis, mail to a local SMTP server that stalls at the step under test. Another worker delivers the message
within a minute of the kill, with the same Message-ID when the first try may have reached the server; a
message the server had already accepted is not sent again."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from gateway.settings import Settings
from models.members.models import Channel
from models.notify.outbox import MessageKind, MessageStatus, OutboxMessage, queue_message
from tests.blackbox import stop
from tests.workers.support import SmtpServer, smtp_server
from workers.delivery import sweep_outbox
from workers.queue import Queue
from workers.runner import build_worker

GATEWAY = Path(sys.executable).with_name("gateway")
REPO = Path(__file__).parents[2]
# The promise under test; the test waits no longer than this after the kill.
REDELIVERY_SECONDS = 60.0
# A worker process imports, connects and sweeps well within this, even on a busy machine.
START_SECONDS = 30.0

Worker = Callable[[], AbstractAsyncContextManager[asyncio.subprocess.Process]]


@pytest.fixture
def worker_process(worker_settings: Settings, tmp_path: Path) -> Callable[[SmtpServer], Worker]:
    """`gateway worker` as its own process, on the test database and Redis, mailing to the given server."""

    def for_server(smtp: SmtpServer) -> Worker:
        environ = {
            "PATH": os.environ.get("PATH", ""),
            "ENVIRONMENT": "test",
            "DATA_DIR": str(worker_settings.data_dir),
            "DATABASE_URL": worker_settings.database_url,
            "REDIS_URL": worker_settings.redis_url or "",
            "SECRET_KEY": worker_settings.secret_key,
            "SMTP_URL": smtp.url,
        }

        @asynccontextmanager
        async def started() -> AsyncIterator[asyncio.subprocess.Process]:
            with (tmp_path / "worker.log").open("ab") as log:
                process = await asyncio.create_subprocess_exec(
                    str(GATEWAY), "worker", env=environ, cwd=REPO, stdout=log, stderr=log
                )
            try:
                yield process
            finally:
                await stop(process)

        return started

    return for_server


async def queue_notice() -> OutboxMessage:
    return await queue_message(
        Channel.EMAIL, "pat@example.com", "An outage nearby.", kind=MessageKind.OUTAGE_REPORTED, subject="Out"
    )


def read_log(path: Path) -> str:
    return path.read_text(errors="replace")


async def sent_by(message_id: int, deadline: float) -> bool:
    """Poll the outbox row until it is SENT or the deadline (time.monotonic) passes."""
    while time.monotonic() < deadline:
        if (await OutboxMessage.get(id=message_id)).status == MessageStatus.SENT:
            return True
        await asyncio.sleep(0.2)
    return False


async def killed_when_stalled(process: asyncio.subprocess.Process, smtp: SmtpServer, log: Path) -> float:
    """SIGKILL the worker once the SMTP server stalls on it; returns the time of the kill."""
    try:
        await asyncio.wait_for(smtp.stalled.wait(), START_SECONDS)
    except TimeoutError:
        raise AssertionError(f"the worker never reached the SMTP server: {read_log(log)}") from None
    process.kill()
    await process.wait()
    return time.monotonic()


async def test_a_message_a_killed_worker_held_is_delivered_by_another_within_a_minute(
    worker_process: Callable[[SmtpServer], Worker], tmp_path: Path
) -> None:
    # given: a worker holding a message whose DATA the server took but has not answered
    message = await queue_notice()
    async with smtp_server(stall="DATA") as smtp:
        start = worker_process(smtp)
        async with start() as first:
            killed_at = await killed_when_stalled(first, smtp, tmp_path / "worker.log")
        held = await OutboxMessage.get(id=message.id)
        # when: another worker runs
        async with start():
            sent = await sent_by(message.id, killed_at + REDELIVERY_SECONDS)
        # then
        assert held.status == MessageStatus.SENDING
        assert sent, read_log(tmp_path / "worker.log")
        assert [email["Message-ID"] for email in smtp.received] == [f"<outbox-{message.id}@localhost>"] * 2
        assert (await OutboxMessage.get(id=message.id)).attempts == 2


async def test_a_message_the_server_accepted_is_sent_once_though_the_worker_dies_before_quit(
    worker_process: Callable[[SmtpServer], Worker], queue: Queue, tmp_path: Path
) -> None:
    # given: a worker killed while the server, having accepted the message, does not answer QUIT
    message = await queue_notice()
    async with smtp_server(stall="QUIT") as smtp:
        async with worker_process(smtp)() as first:
            await killed_when_stalled(first, smtp, tmp_path / "worker.log")
        # when: a worker sweeps the outbox
        swept = await sweep_outbox({"queue": queue})
        # then
        sent = await OutboxMessage.get(id=message.id)
        assert (swept, sent.status, sent.attempts) == (0, MessageStatus.SENT, 1)
        assert [email["Message-ID"] for email in smtp.received] == [f"<outbox-{message.id}@localhost>"]


async def test_the_daily_crons_keep_their_hour_while_a_message_job_has_half_a_minute(
    settings: Settings,
) -> None:
    # when
    worker = build_worker(settings)
    # then: arq holds any started job for its worker's longest time-out, so the daily runs are never
    # taken over by a second worker while they run; a dead delivery is freed by the sweeper instead
    timeouts = {name: function.timeout_s for name, function in worker.functions.items()}
    assert timeouts["cron:issue_statements_job"] == 3600
    assert "cron:autopay_job" not in timeouts  # each worker's own: never held for an hour
    assert (timeouts["send_email"], timeouts["send_sms"]) == (30, 30)
    assert worker.in_progress_timeout_s == 3610
