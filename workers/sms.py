"""The SMS backend: an HTTP webhook at SMS_URL, else JSON lines in DATA_DIR/sms.jsonl."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from gateway.settings import Settings
from models.db.clock import utcnow
from models.notify.outbox import OutboxMessage

SMS_TIMEOUT_SECONDS = 10


async def send_sms_message(
    settings: Settings,
    message: OutboxMessage,
    accepted: Callable[[], Awaitable[None]] | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Send one outbox SMS; raises when the provider does not answer 2xx; awaits `accepted` once it has.

    `transport` is the seam for a different HTTP transport (a proxy, a test double); by default httpx's own.
    """
    if not settings.sms_url:
        line = {
            "to": message.recipient,
            "body": message.body,
            "messageId": message.id,
            "at": utcnow().isoformat(),
        }
        await asyncio.to_thread(append_line, settings.sms_file, line)
    else:
        payload = {"to": message.recipient, "body": message.body, "messageId": message.id}
        async with httpx.AsyncClient(timeout=SMS_TIMEOUT_SECONDS, transport=transport) as client:
            response = await client.post(settings.sms_url, json=payload)
            response.raise_for_status()
    if accepted is not None:
        await accepted()


def append_line(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line; one write of one line, so concurrent writers do not interleave."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
