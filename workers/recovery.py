"""Password resets: carry out the requests `requestPasswordReset` recorded (it answers at once, in the
same time whether or not the login exists), then hand their links and codes to delivery."""

from __future__ import annotations

from typing import Any

from models.notify.outbox import track_written
from models.security.recovery import ResetDelivery, carry_out_requests
from workers.queue import Queue


async def carry_out_password_resets(ctx: dict[str, Any]) -> int:
    """Send the links and codes of the waiting reset requests; returns how many were done (idempotent)."""
    settings = ctx["settings"]
    written = track_written()
    done = await carry_out_requests(
        ResetDelivery(settings.public_url, settings.secret_key, settings.code_seconds)
    )
    queue: Queue | None = ctx.get("queue")
    if queue is not None and written:
        await queue.deliver(written)
    return done
