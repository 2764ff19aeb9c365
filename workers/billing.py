"""Billing tasks: the daily statement run, the daily autopay run, and the reconciliation of payments
a crash or a processor time-out left PENDING. Each is idempotent, so a duplicate cron job or a retry is
harmless: statements are unique per period, autopay charges under one key per statement and day, and
reconciliation asks the processor again with the payment's own key."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from arq import Retry

from gateway.settings import Settings
from models.billing.autopay import AutopayReport, run_autopay
from models.billing.autopay_lease import LEASE_SECONDS, RENEW_SECONDS
from models.billing.awaiting import AWAITING_CHECK_MINUTES
from models.billing.cycle import issue_due_statements
from models.billing.notices import send_card_expiry_reminders, send_overdue_notices
from models.billing.processor import PaymentProcessor
from models.billing.processors import processor_for as configured_processor
from models.billing.reconcile import reconcile_awaiting, reconcile_pending
from models.db.clock import utcnow
from models.notify.outbox import track_written
from workers.queue import Queue

log = logging.getLogger(__name__)

# Daily, in UTC: statements first, so today's statements can be reminded of or charged an hour later.
STATEMENTS_AT = (6, 0)
AUTOPAY_AT = (7, 0)
RECONCILE_SECOND = 30
# The minutes of each hour at which the payments waiting for the member are asked about.
AWAITING_MINUTES = set(range(0, 60, AWAITING_CHECK_MINUTES))
# A whole run over many accounts may take minutes; the default job time-out would cut it short.
DAILY_JOB_TIMEOUT_SECONDS = 3600
# Tries of one day's autopay job (within the worker's max_tries): each retry takes over dead runs' leases.
AUTOPAY_TRIES = 5


def processor_for(settings: Settings) -> PaymentProcessor | None:
    """The processor PAYMENT_PROCESSOR names (the sandbox with SANDBOX_FAULT and SANDBOX_LATENCY_MS), or None:
    payments are off."""
    return configured_processor(settings, settings.sandbox_fault)


async def issue_statements_job(ctx: dict[str, Any], day: str | None = None) -> int:
    """Issue the statements of the accounts billed today (ISO `day`, default today in UTC), then send the
    day's overdue notices and card-expiry reminders (each once); returns how many statements it issued."""
    written = track_written()
    today = _day(day)
    issued = await issue_due_statements(today)
    public_url = ctx["settings"].public_url
    overdue = await send_overdue_notices(today, public_url)
    expiring = await send_card_expiry_reminders(today, public_url)
    log.info("billing notices %s: %d overdue, %d cards expiring", today, overdue, expiring)
    await _wake(ctx, written)
    return issued


async def autopay_job(ctx: dict[str, Any], day: str | None = None) -> dict[str, int]:
    """Run autopay for `day` (ISO, default today in UTC); returns its report. The job runs again when the
    worker stops it (shutting down) and, after the leases lapse, when another run held statements: if that
    run died, this one takes them over."""
    processor = processor_for(ctx["settings"])
    if processor is None:
        # Nothing is charged, no statement is marked failed and no member hears of a decline.
        log.warning("autopay %s skipped: %s", day or "today", ctx["settings"].payments_off_reason)
        return AutopayReport().as_json()
    written = track_written()
    stopping: asyncio.Event | None = ctx.get("stopping")
    settings: Settings = ctx["settings"]
    report = await run_autopay(
        _day(day), processor=processor, concurrency=settings.autopay_concurrency, stop=stopping
    )
    log.info("autopay %s: %s", day or "today", report)
    await _wake(ctx, written)
    if stopping is not None and stopping.is_set():
        raise Retry(defer=1)  # the next worker to start takes the statements given back
    if report.held_elsewhere and ctx.get("job_try", 1) < AUTOPAY_TRIES:
        raise Retry(defer=LEASE_SECONDS + RENEW_SECONDS)
    return report.as_json()


async def reconcile_payments_job(ctx: dict[str, Any]) -> int:
    """Settle the payments left PENDING for over a minute (not those waiting for the member); returns how
    many were settled."""
    return await _reconcile(ctx, reconcile_pending)


async def reconcile_awaiting_job(ctx: dict[str, Any]) -> int:
    """Settle the payments waiting for the member (3-D Secure) that the member answered and no webhook
    told us of, and cancel those waiting for over a day; returns how many were settled."""
    return await _reconcile(ctx, reconcile_awaiting)


async def _reconcile(ctx: dict[str, Any], reconcile: Callable[..., Awaitable[int]]) -> int:
    processor = processor_for(ctx["settings"])
    if processor is None:
        return 0  # no processor ever took a payment to settle; the startup log says why
    written = track_written()
    settled = await reconcile(processor=processor)
    await _wake(ctx, written)
    return settled


def _day(day: str | None) -> date:
    return date.fromisoformat(day) if day else utcnow().date()


async def _wake(ctx: dict[str, Any], written: list[Any]) -> None:
    """Queue the receipts and notices at once; the outbox sweeper would otherwise take them shortly."""
    queue: Queue | None = ctx.get("queue")
    if queue is not None and written:
        await queue.deliver(written)
