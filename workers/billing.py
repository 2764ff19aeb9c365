"""Billing tasks: the daily statement run, each worker's part in the day's autopay, and the reconciliation
of payments a crash or a processor time-out left PENDING. Each is idempotent, so a duplicate cron job or a
retry is harmless: statements are unique per period, autopay charges under one key per statement and day,
and reconciliation asks the processor again with the payment's own key.

Autopay is not an arq cron job: arq runs a cron job on one worker, and keeps a killed worker's job for an
hour before running it again. Every worker process instead takes part in each day's autopay from
AUTOPAY_TIME on (`take_part_in_autopay`): it starts a run unless the day is finished, once a day while
another run is live (so the workers split the day's statements between them) and again whenever none is
(so a run that died, in a worker or in `gateway run-autopay`, is made good within a minute or two)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date
from typing import Any

from gateway.settings import Settings
from models.billing.autopay import AutopayReport, run_autopay
from models.billing.autopay_lease import day_finished, day_in_hand
from models.billing.charge import reconcile_pending
from models.billing.cycle import issue_due_statements
from models.billing.notices import send_card_expiry_reminders, send_overdue_notices
from models.billing.processor import PaymentProcessor
from models.billing.processors import processor_for as configured_processor
from models.db.clock import utcnow
from models.notify.outbox import track_written
from workers.observability import observed
from workers.queue import Queue

log = logging.getLogger(__name__)

# Daily, in UTC: statements first, so today's statements can be reminded of or charged an hour later.
STATEMENTS_AT = (6, 0)
RECONCILE_SECOND = 30
# A whole run over many accounts may take minutes; the default job time-out would cut it short.
DAILY_JOB_TIMEOUT_SECONDS = 3600
# How often a worker looks whether the day's autopay needs it (AUTOPAY_TIME is when the day starts).
AUTOPAY_LOOK_SECONDS = 60
# A worker shutting down lets its autopay run finish the charges in flight for at most this long.
AUTOPAY_STOP_SECONDS = 10


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
    """Run autopay for `day` (ISO, default today in UTC) in this worker; returns its report. Once the
    worker's `stopping` is set, the charges in flight finish and the statements claimed are given back."""
    processor = processor_for(ctx["settings"])
    if processor is None:
        # Nothing is charged, no statement is marked failed and no member hears of a decline.
        log.warning("autopay %s skipped: %s", day or "today", ctx["settings"].payments_off_reason)
        return AutopayReport().as_json()
    written = track_written()
    settings: Settings = ctx["settings"]
    report = await run_autopay(
        _day(day), processor=processor, concurrency=settings.autopay_concurrency, stop=ctx.get("stopping")
    )
    log.info("autopay %s: %s", day or "today", report)
    await _wake(ctx, written)
    return report.as_json()


async def take_part_in_autopay(ctx: dict[str, Any]) -> None:
    """This worker's part in each day's autopay, until the worker stops: every AUTOPAY_LOOK_SECONDS from
    AUTOPAY_TIME on, start a run of the day unless it is finished, or unless this worker has taken part
    today and another run is live (that run, or this worker's next look, finishes the day)."""
    settings: Settings = ctx["settings"]
    stopping: asyncio.Event = ctx["stopping"]
    if settings.payments_off_reason:
        return  # no processor: nothing to charge (workers/runner.py logs why at start)
    taken_part: date | None = None
    while not stopping.is_set():
        now = utcnow()
        today = now.date()
        try:
            if now.time() >= settings.autopay_time and not await day_finished(today):
                if taken_part != today or not await day_in_hand(today):
                    taken_part = today
                    await observed_autopay(ctx, today.isoformat())
        except Exception:  # the database or the processor failing: the next look tries again
            log.exception("autopay %s stopped; this worker tries again in %s s", today, AUTOPAY_LOOK_SECONDS)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), AUTOPAY_LOOK_SECONDS)


async def stop_taking_part(task: asyncio.Task[None]) -> None:
    """Wait for the worker's autopay (told to stop by the worker's `stopping`) to finish its charges in
    flight; past AUTOPAY_STOP_SECONDS cancel it (its claims are given back, its payments reconciled)."""
    _, late = await asyncio.wait({task}, timeout=AUTOPAY_STOP_SECONDS)
    if late:
        task.cancel()
        await asyncio.wait({task})


async def reconcile_payments_job(ctx: dict[str, Any]) -> int:
    """Settle the payments left PENDING for over a minute; returns how many were settled."""
    processor = processor_for(ctx["settings"])
    if processor is None:
        return 0  # no processor ever took a payment to settle; the startup log says why
    written = track_written()
    settled = await reconcile_pending(processor=processor)
    await _wake(ctx, written)
    return settled


observed_autopay = observed(autopay_job)  # counted and timed in worker_jobs_total like the jobs


def _day(day: str | None) -> date:
    return date.fromisoformat(day) if day else utcnow().date()


async def _wake(ctx: dict[str, Any], written: list[Any]) -> None:
    """Queue the receipts and notices at once; the outbox sweeper would otherwise take them shortly."""
    queue: Queue | None = ctx.get("queue")
    if queue is not None and written:
        await queue.deliver(written)
