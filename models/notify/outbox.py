"""The outbox: a message is a row committed with the change that causes it; the worker delivers it.

Delivery is claimed with one conditional UPDATE, so two jobs for the same message (a lost job
re-queued by the sweeper, a duplicate wake-up) never send it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.models import Model

from models.db.clock import utcnow
from models.members.contact import one_line
from models.members.models import Channel

# Above workers.delivery.DELIVERY_TIMEOUT_SECONDS, so only a dead delivery's claim lapses; short enough that
# a killed worker's messages are delivered again within a minute.
CLAIM_SECONDS = 45
BACKOFF_SECONDS = (5, 15, 60, 300, 900, 3600)


MAX_SUBJECT = 200


class MessageStatus(StrEnum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"  # no try can send it (models.notify.outbox.Undeliverable); last_error says why


class MessageKind(StrEnum):
    """What an outbox message is about (tests and workers look messages up by it)."""

    CODE = "CODE"
    ACTIVATION = "ACTIVATION"
    LOCKOUT = "LOCKOUT"
    PASSWORD_RESET_LINK = "PASSWORD_RESET_LINK"
    PASSWORD_RESET = "PASSWORD_RESET"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    TOTP_ENABLED = "TOTP_ENABLED"
    TOTP_DISABLED = "TOTP_DISABLED"
    RECOVERY_CODES_GENERATED = "RECOVERY_CODES_GENERATED"
    RECOVERY_CODE_USED = "RECOVERY_CODE_USED"
    PASSKEY_CHANGED = "PASSKEY_CHANGED"
    PASSKEY_COUNTER_WENT_BACK = "PASSKEY_COUNTER_WENT_BACK"
    NEW_SIGN_IN = "NEW_SIGN_IN"
    ACCOUNT_SECURED = "ACCOUNT_SECURED"
    PRIMARY_TRANSFERRED = "PRIMARY_TRANSFERRED"
    CONTACT_CHANGE_REQUESTED = "CONTACT_CHANGE_REQUESTED"
    CONTACT_CHANGED = "CONTACT_CHANGED"
    USAGE_ALERT = "USAGE_ALERT"
    OUTAGE_REPORTED = "OUTAGE_REPORTED"
    APPOINTMENT = "APPOINTMENT"
    APPOINTMENT_REMINDER = "APPOINTMENT_REMINDER"
    STATEMENT_READY = "STATEMENT_READY"
    PAYMENT_RECEIPT = "PAYMENT_RECEIPT"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_ACTION_NEEDED = "PAYMENT_ACTION_NEEDED"
    AUTOPAY_CHANGED = "AUTOPAY_CHANGED"
    AUTOPAY_REMINDER = "AUTOPAY_REMINDER"
    CEILING_SKIPPED = "CEILING_SKIPPED"
    AUTOPAY_GAVE_UP = "AUTOPAY_GAVE_UP"
    STATEMENT_OVERDUE = "STATEMENT_OVERDUE"
    CARD_EXPIRING = "CARD_EXPIRING"


class Undeliverable(Exception):
    """A message that no retry can send: it cannot be built (a bad address, a header that would not
    hold), or the recipient's server refused it for good. Delivery marks it FAILED, once."""


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    channel = fields.CharEnumField(Channel, max_length=8)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=MAX_SUBJECT, default="")
    body = fields.TextField()
    kind = fields.CharField(max_length=40)
    account_id = fields.BigIntField(null=True, db_index=True)
    member_id = fields.BigIntField(null=True)
    status = fields.CharEnumField(MessageStatus, max_length=8, default=MessageStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)


_written: ContextVar[list[tuple[int, Channel]] | None] = ContextVar("outbox_written", default=None)


def track_written() -> list[tuple[int, Channel]]:
    """Collect (id, channel) of the messages queued from here on in this context, to wake delivery."""
    written: list[tuple[int, Channel]] = []
    _written.set(written)
    return written


def note_written(messages: Iterable[tuple[int, Channel]]) -> None:
    """Tell the context's `track_written` list (if any) of messages just written to the outbox."""
    written = _written.get()
    if written is not None:
        written.extend(messages)


@dataclass(frozen=True)
class Draft:
    """A message not yet in the outbox; `queue_messages` (models/notify/outbox_batch.py) writes many
    with one INSERT. `not_before` holds it back (quiet hours); nothing delivers it earlier."""

    channel: Channel
    recipient: str
    body: str
    kind: MessageKind
    subject: str = ""
    account_id: int | None = None
    member_id: int | None = None
    not_before: datetime | None = None

    def fields(self) -> dict[str, Any]:
        """The row's fields, as every writer of the outbox gives them (the rest are the model's defaults)."""
        now = utcnow()
        # The subject is a header: built from names, it must stay one line.
        return {
            "channel": self.channel,
            "recipient": self.recipient,
            "subject": one_line(self.subject, MAX_SUBJECT),
            "body": self.body,
            "kind": self.kind,
            "account_id": self.account_id,
            "member_id": self.member_id,
            "next_attempt_at": max(now, self.not_before) if self.not_before else now,
        }


async def queue_message(
    channel: Channel,
    recipient: str,
    body: str,
    *,
    kind: MessageKind,
    subject: str = "",
    account_id: int | None = None,
    member_id: int | None = None,
    not_before: datetime | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> OutboxMessage:
    """Add a message to the outbox; pass `using_db` so it commits with the change that causes it.
    `not_before` holds it back (quiet hours); nothing delivers it earlier."""
    draft = Draft(channel, recipient, body, kind, subject, account_id, member_id, not_before)
    return await queue_draft(draft, using_db=using_db)


async def queue_draft(draft: Draft, *, using_db: BaseDBAsyncClient | None = None) -> OutboxMessage:
    """Add one drafted message to the outbox (`queue_messages` adds many with one statement)."""
    message = await OutboxMessage.create(**draft.fields(), using_db=using_db)
    note_written([(message.id, draft.channel)])
    return message


async def claim(message_id: int, now: datetime | None = None) -> OutboxMessage | None:
    """Take the message for delivery, or None when it is sent, not due yet, or another delivery holds it."""
    now = now or utcnow()
    claimable = Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_until__lt=now
    )
    updated = await OutboxMessage.filter(claimable, id=message_id).update(
        status=MessageStatus.SENDING,
        claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
        attempts=F("attempts") + 1,
    )
    if updated != 1:
        return None
    return await OutboxMessage.get(id=message_id)


async def mark_sent(message: OutboxMessage) -> None:
    await OutboxMessage.filter(id=message.id).update(
        status=MessageStatus.SENT, sent_at=utcnow(), claimed_until=None, last_error=None
    )


async def mark_failed(message: OutboxMessage, error: str) -> timedelta:
    """Put the message back for a later try; returns how long until then."""
    backoff = timedelta(seconds=BACKOFF_SECONDS[min(message.attempts, len(BACKOFF_SECONDS)) - 1])
    await OutboxMessage.filter(id=message.id).update(
        status=MessageStatus.PENDING,
        claimed_until=None,
        next_attempt_at=utcnow() + backoff,
        last_error=error[:500],
    )
    return backoff


async def mark_undeliverable(message: OutboxMessage, reason: str) -> None:
    """Give the message up for good: FAILED with the reason; neither the sweeper nor a claim takes it."""
    await OutboxMessage.filter(id=message.id).update(
        status=MessageStatus.FAILED, claimed_until=None, last_error=reason[:500]
    )


async def due_message_ids(limit: int = 500, now: datetime | None = None) -> list[tuple[int, Channel]]:
    """Messages waiting for delivery whose time has come, oldest first (the sweeper's work)."""
    now = now or utcnow()
    due = Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_until__lt=now
    )
    rows = await OutboxMessage.filter(due).order_by("id").limit(limit).values_list("id", "channel")
    return [(int(row[0]), Channel(row[1])) for row in rows]


async def stalled_message_ids(limit: int = 500, now: datetime | None = None) -> list[int]:
    """Due messages whose delivery may have died midway: a lapsed claim, or due for longer than a claim
    lasts and still not claimed (the sweeper lets their stuck delivery jobs run again)."""
    now = now or utcnow()
    stalled = Q(status=MessageStatus.SENDING, claimed_until__lt=now) | Q(
        status=MessageStatus.PENDING, next_attempt_at__lt=now - timedelta(seconds=CLAIM_SECONDS)
    )
    rows = await OutboxMessage.filter(stalled).order_by("id").limit(limit).values_list("id")
    return [int(row[0]) for row in rows]
