"""The hourly appointment reminders: each appointment starting within a day is reminded once."""

from __future__ import annotations

from typing import Any

from models.notify.outbox import track_written
from models.services.appointments import send_reminders
from workers.queue import Queue

REMINDERS_MINUTE = 5


async def appointment_reminders_job(ctx: dict[str, Any]) -> int:
    """Queue the reminders of the appointments starting within 24 hours; returns how many."""
    written = track_written()
    sent = await send_reminders()
    queue: Queue | None = ctx.get("queue")
    if queue is not None and written:
        await queue.deliver(written)
    return sent
