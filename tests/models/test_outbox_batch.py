"""The outbox's multi-row writer: the rows queue_message writes, their ids, one statement, the caller's
transaction, and the wake-up of every message it wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.members.models import Channel
from models.notify import outbox, outbox_batch
from models.notify.outbox import Draft, OutboxMessage, queue_message, track_written
from models.notify.outbox_batch import queue_messages
from tests.support import count_queries

NOW = datetime(2026, 3, 2, 14, 30, 15, 250_000, tzinfo=UTC)
DRAFTS = [
    Draft(
        Channel.EMAIL,
        "alice@example.com",
        "Hello Alice,\n\nYour statement is ready.\n",
        "STATEMENT_READY",
        subject="Statement for\r\nAlice \u202eevil " + "x" * 250,
        account_id=7,
        member_id=11,
    ),
    Draft(
        Channel.SMS,
        "+13125550142",
        "Your statement is ready.",
        "STATEMENT_READY",
        account_id=7,
        member_id=11,
        not_before=NOW + timedelta(hours=9),
    ),
    Draft(Channel.SMS, "+13125550143", "Past quiet hours.", "ALERT", not_before=NOW - timedelta(hours=1)),
    Draft(Channel.EMAIL, "ops@example.com", "No account.", "OPERATOR"),
]


async def stored_rows() -> list[dict[str, Any]]:
    """Every outbox row as the database holds it, oldest first."""
    rows = await connections.get("default").execute_query_dict('SELECT * FROM "outbox_message" ORDER BY id')
    return [dict(row) for row in rows]


def without_keys(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row without what tells two writes apart (its id and when it was written)."""
    return {key: value for key, value in row.items() if key not in {"id", "created_at"}}


async def test_the_batch_writes_the_rows_queue_message_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a clock that stands still, and the drafts written one by one by queue_message
    monkeypatch.setattr(outbox, "utcnow", lambda: NOW)
    for draft in DRAFTS:
        await queue_message(
            draft.channel,
            draft.recipient,
            draft.body,
            kind=draft.kind,
            subject=draft.subject,
            account_id=draft.account_id,
            member_id=draft.member_id,
            not_before=draft.not_before,
        )
    # when the same drafts are written at once
    before = datetime.now(UTC)
    await queue_messages(DRAFTS)
    # then the rows are the same, column for column, as stored (a header's subject on one line, the
    # quiet-hours SMS held back), and each was stamped when it was written
    rows = await stored_rows()
    one_by_one, at_once = rows[: len(DRAFTS)], rows[len(DRAFTS) :]
    assert [without_keys(row) for row in at_once] == [without_keys(row) for row in one_by_one]
    assert [type(row["created_at"]) for row in at_once] == [type(row["created_at"]) for row in one_by_one]
    messages = await OutboxMessage.filter(id__in=[row["id"] for row in at_once]).order_by("id")
    assert messages[0].subject == "Statement for Alice evil " + "x" * 174 + "…"
    assert [message.next_attempt_at for message in messages] == [NOW, NOW + timedelta(hours=9), NOW, NOW]
    assert all(before <= message.created_at <= datetime.now(UTC) for message in messages)


async def test_the_batch_returns_the_ids_in_order_and_wakes_each_message() -> None:
    # given a context that collects what the outbox wrote (as the gateway's does)
    written = track_written()
    # when
    with count_queries() as statements:
        ids = await queue_messages(DRAFTS)
    # then one statement wrote them, and the ids are theirs, in the drafts' order
    assert len(statements) == 1
    messages = await OutboxMessage.all().order_by("id")
    assert ids == [message.id for message in messages]
    assert [message.recipient for message in messages] == [draft.recipient for draft in DRAFTS]
    assert written == [(message.id, message.channel) for message in messages]


async def write_then_fail() -> list[int]:
    """A change that writes the drafts in its transaction and then fails; returns the ids it saw."""
    ids: list[int] = []
    try:
        async with in_transaction() as connection:
            ids = await queue_messages(DRAFTS, using_db=connection)
            raise RuntimeError("the change that caused them failed")
    except RuntimeError:
        return ids


async def test_the_batch_commits_with_the_callers_transaction() -> None:
    # given / when a transaction that writes the drafts and then fails
    ids = await write_then_fail()
    # then the drafts were written in it, and none of them is left in the outbox
    assert len(ids) == len(DRAFTS)
    assert await OutboxMessage.all().count() == 0


async def test_the_batch_writes_a_chunk_a_statement_and_nothing_for_no_drafts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given chunks of two rows
    monkeypatch.setattr(outbox_batch, "CHUNK_ROWS", 2)
    written = track_written()
    # when
    with count_queries() as statements:
        ids = await queue_messages([*DRAFTS, DRAFTS[0]])
        none = await queue_messages([])
    # then
    assert len(statements) == 3
    assert none == []
    assert ids == sorted(ids)
    assert len(set(ids)) == len(DRAFTS) + 1
    assert written == [(message.id, message.channel) for message in await OutboxMessage.all().order_by("id")]
