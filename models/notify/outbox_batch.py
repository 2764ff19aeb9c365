"""Many outbox messages with one multi-row INSERT: telling every member of an account costs one statement,
not one a member. tortoise's bulk_create returns no ids, and delivery is woken by id, so this writes
`INSERT ... RETURNING` itself, with the values converted by the model's own fields: the rows are
those `queue_message` writes (tests/models/test_outbox_batch.py compares them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models.members.models import Channel
from models.notify.outbox import Draft, OutboxMessage, note_written

# Rows a statement: 14 bound values each stays well under both databases' limit (32,766 on SQLite,
# 32,767 on PostgreSQL).
CHUNK_ROWS = 1000

_PLACEHOLDERS = {"postgres": "${}", "sqlite": "?"}


def _columns() -> list[tuple[str, str]]:
    """(field, column) of every column an INSERT of the model gives, as tortoise's own INSERT has them."""
    meta = OutboxMessage._meta
    return [
        (name, column)
        for name, column in meta.fields_db_projection.items()
        if not meta.fields_map[name].generated
    ]


def _insert(dialect: str, drafts: Sequence[Draft]) -> tuple[str, list[Any]]:
    columns = _columns()
    values: list[Any] = []
    rows: list[str] = []
    for draft in drafts:
        message = OutboxMessage(**draft.fields())
        fields = message._meta.fields_map
        places = []
        for name, _ in columns:
            values.append(fields[name].to_db_value(getattr(message, name), message))
            places.append(_PLACEHOLDERS[dialect].format(len(values)))
        rows.append(f"({', '.join(places)})")
    names = ", ".join(f'"{column}"' for _, column in columns)
    table = OutboxMessage._meta.db_table
    sql = f'INSERT INTO "{table}" ({names}) VALUES {", ".join(rows)} RETURNING "id", "channel"'
    return sql, values


async def queue_messages(drafts: Sequence[Draft], *, using_db: BaseDBAsyncClient | None = None) -> list[int]:
    """Add the drafts to the outbox with one INSERT (one per CHUNK_ROWS); pass `using_db` so they commit
    with the change that causes them. Returns the new ids in the drafts' order, and tells
    `track_written` of them, as `queue_message` does."""
    db = using_db or connections.get("default")
    dialect = str(db.capabilities.dialect)
    if dialect not in _PLACEHOLDERS:
        raise NotImplementedError(f"the outbox's batch runs on PostgreSQL or SQLite, not {dialect}")
    ids: list[int] = []
    for start in range(0, len(drafts), CHUNK_ROWS):
        rows = await db.execute_query_dict(*_insert(dialect, drafts[start : start + CHUNK_ROWS]))
        # RETURNING's order is not promised; one statement takes its ids in the order of its rows.
        written = sorted((int(row["id"]), Channel(row["channel"])) for row in rows)
        note_written(written)
        ids.extend(message_id for message_id, _ in written)
    return ids
