"""Delivery tasks: send outbox messages, and the sweeper that re-queues what the queue lost.

Guarantees: every outbox row is attempted at least once (the web process queues it on commit and the
sweeper re-queues whatever is due, so a lost job or a Redis outage only delays it); it is sent at most
once per successful hand-over, because a delivery first claims the row with one conditional UPDATE
(`models.notify.outbox.claim`): duplicate jobs, or the same job run twice, find nothing to claim. The row
is marked SENT as soon as the transport accepts the message (for SMTP, on the reply to DATA, before QUIT).
The one window left is a crash between the transport's acceptance and that mark: the claim lapses and
the message is sent again (at least once, never lost), with the same Message-ID, so mail clients drop the
copy. A killed worker's messages are delivered again within about CLAIM_SECONDS: the sweeper frees their
jobs, which arq would otherwise hold for an hour (`Queue.release`). A message that no try can send
(`Undeliverable`: it cannot be built, or its recipient is refused for good) is marked FAILED with the
reason and logged as an error, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from arq import Retry

from gateway.settings import Settings
from models.members.models import Channel
from models.notify.outbox import (
    OutboxMessage,
    Undeliverable,
    claim,
    due_message_ids,
    mark_failed,
    mark_sent,
    mark_undeliverable,
    stalled_message_ids,
)
from workers.mail import send_mail
from workers.queue import Queue
from workers.sms import send_sms_message

log = logging.getLogger(__name__)

MAX_TRIES = 5
# Below models.notify.outbox.CLAIM_SECONDS, so a stuck send is cancelled before its claim can lapse.
DELIVERY_TIMEOUT_SECONDS = 30

# A backend calls `accepted` once the transport has taken the message (before any farewell, such as QUIT).
Accepted = Callable[[], Awaitable[None]]
Backend = Callable[[Settings, OutboxMessage, Accepted], Awaitable[None]]
BACKENDS: dict[Channel, Backend] = {Channel.EMAIL: send_mail, Channel.SMS: send_sms_message}


async def send_email(ctx: dict[str, Any], message_id: int) -> str:
    """Deliver an outbox e-mail exactly once (the DB claim); a failure retries with backoff."""
    return await deliver(ctx, message_id)


async def send_sms(ctx: dict[str, Any], message_id: int) -> str:
    """Deliver an outbox SMS exactly once (the DB claim); a failure retries with backoff."""
    return await deliver(ctx, message_id)


async def deliver(ctx: dict[str, Any], message_id: int) -> str:
    """Claim, hand over through the message's channel backend, record the outcome; returns what happened.

    A failed hand-over puts the row back as PENDING with its backoff (`mark_failed`) and raises arq's
    `Retry` for that backoff while tries remain; after the last try, or in a burst worker (which must
    not sit out a backoff), the job ends and the sweeper re-queues the row once it is due again.
    An Undeliverable message is marked FAILED and never tried again.
    """
    message = await claim(message_id)
    if message is None:
        return "skipped"
    settings: Settings = ctx["settings"]
    sent = False

    async def accepted() -> None:
        nonlocal sent
        if not sent:
            await mark_sent(message)
            sent = True

    try:
        await BACKENDS[message.channel](settings, message, accepted)
    except Undeliverable as error:
        await mark_undeliverable(message, str(error))
        log.error("outbox message %s (%s) cannot be delivered, given up: %s", message_id, message.kind, error)
        return "undeliverable"
    except Exception as error:
        if sent:
            log.warning("outbox message %s was sent, then the transport failed: %s", message_id, error)
            return "sent"
        backoff = await mark_failed(message, f"{type(error).__name__}: {error}")
        if ctx.get("retry_deliveries", True) and ctx.get("job_try", 1) < MAX_TRIES:
            raise Retry(defer=backoff) from error
        log.warning("outbox message %s failed (%s); the sweeper retries it in %s", message_id, error, backoff)
        return "failed"
    await accepted()
    return "sent"


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Queue every outbox message that is due (new, failed and due again, or with a lapsed claim).

    Jobs use one id a message, so a message already queued or being delivered is not queued twice; the
    jobs of messages whose delivery died are freed first (`Queue.release`). Returns how many jobs were
    queued.
    """
    queue: Queue = ctx["queue"]
    await queue.release(await stalled_message_ids())
    return await queue.deliver(await due_message_ids())
