"""The daily autopay run: charge each due statement of an enrolled account once per attempt day.

A statement is due on its charge date (due date - days before due); a failed charge is tried again 1,
3 and 5 days after the first failure, then autopay stops and tells the member once. A statement above
the enrolment's ceiling is not charged and the member is told once; members are reminded 3 days
before the charge date, once. Notices are BillingNotice rows (unique per statement and kind) committed
with their outbox messages, so a re-run never repeats one.

How two workers (or a re-run, or a run after a crash) never charge a statement twice, and leave none behind:
- The payment's idempotency key `autopay:<statement id>:<attempt date>` is unique per account, and the
  one charge operation (models.billing.charge) turns a second use of it into the same payment, never a
  second charge: that is the guarantee. A statement with a payment under today's key is done for today
  whichever run made it; one left PENDING (the processor's answer lost, a crash before the settlement)
  is settled by `models.billing.charge.reconcile_pending`, which asks the processor again with that key.
- On top of it each run *leases* the statements it will charge (models/billing/autopay_lease.py), so
  that runs split the work instead of racing for the same rows. The claim commits at once and the
  charges run after it, outside any transaction: row locks held while the processor answers would stall
  every other run. A live run renews its leases; those of a run that died lapse within LEASE_SECONDS and
  the next run (or the job's retry) takes the statements over. A run told to stop (SIGTERM, a worker
  shutting down) lets the charges in flight finish and gives the rest back at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.access import Permission
from models.billing.autopay_batch import REMINDER_DAYS, Candidate, History
from models.billing.autopay_charging import Charging, ClaimedBatches
from models.billing.autopay_charging import attempt_key as attempt_key  # where callers know it
from models.billing.autopay_lease import Lease
from models.billing.messages import autopay_gave_up, autopay_reminder, ceiling_skipped
from models.billing.models import BillingNotice, Payment, PaymentStatus
from models.billing.processor import PaymentProcessor
from models.db.clock import utcnow
from models.notify.messages import Text
from models.notify.outbox import MessageKind
from models.notify.send import notify_account

log = logging.getLogger(__name__)

RETRY_DAYS = (1, 3, 5)  # after the first failure
# Charges in flight per run (AUTOPAY_CONCURRENCY): with a processor answering in 300 ms, at most ~210 a
# second (bench/RESULTS.md). All runs' charges in flight over the latency must stay within the processor's
# request rate limit.
CONCURRENCY = 64
BATCH_SIZE = 100  # statements claimed at a time; a run holds at most two it has not started

AUTOPAY_REMINDER = MessageKind.AUTOPAY_REMINDER
CEILING_SKIPPED = MessageKind.CEILING_SKIPPED
AUTOPAY_GAVE_UP = MessageKind.AUTOPAY_GAVE_UP


@dataclass
class AutopayReport:
    """What one run did. `already_done` counts statements an earlier run or another worker charged today;
    `held_elsewhere` those another run holds (a retry after LEASE_SECONDS takes over a dead run's);
    `released` those this run claimed and gave back, unstarted, when told to stop."""

    charged: int = 0
    failed: int = 0
    pending: int = 0  # the processor's answer is unknown; reconcile_pending settles them
    skipped_ceiling: int = 0
    reminded: int = 0
    gave_up: int = 0
    already_done: int = 0
    held_elsewhere: int = 0
    released: int = 0

    def as_json(self) -> dict[str, int]:
        return {_camel(name): value for name, value in asdict(self).items()}


def next_attempt(charge_date: date, failed_dates: Sequence[date]) -> date | None:
    """The first day the next attempt may run, or None once every retry has failed."""
    if not failed_dates:
        return charge_date
    if len(failed_dates) > len(RETRY_DAYS):
        return None
    return min(failed_dates) + timedelta(days=RETRY_DAYS[len(failed_dates) - 1])


async def run_autopay(
    today: date,
    *,
    processor: PaymentProcessor | None = None,
    batch_size: int = BATCH_SIZE,
    concurrency: int = CONCURRENCY,
    stop: asyncio.Event | None = None,
) -> AutopayReport:
    """Remind, skip, claim and charge every enrolled account's due statements, claiming a batch at a time
    and keeping `concurrency` charges in flight. Once `stop` is set no charge starts: those in flight finish
    and the rest claimed is given back."""
    report = AutopayReport()
    stop = stop or asyncio.Event()
    async with Lease(today).renewed() as lease:
        is_due = functools.partial(_is_due, today=today, report=report)
        record = functools.partial(_record, today=today, report=report)
        batches = ClaimedBatches(today, batch_size, lease, stop, report, is_due)
        await Charging(today, processor, concurrency, lease, stop, report, record).charge_all(batches)
        report.released = await lease.release()
        # Through the whole day, with no statement left to another run (live or dead): the day is done.
        lease.finished = not stop.is_set() and report.held_elsewhere == 0
    return report


async def _is_due(candidate: Candidate, history: History, *, today: date, report: AutopayReport) -> bool:
    """Whether to charge the statement today; sends the reminder, ceiling and gave-up notices on the way."""
    if today in history.attempts:
        report.already_done += 1
        return False
    if history.leased_until is not None and history.leased_until >= utcnow():
        report.held_elsewhere += 1
        return False
    if not candidate.is_open or candidate.remaining <= 0:
        return False
    if any(status != PaymentStatus.FAILED for status in history.attempts.values()):
        return False  # paid by autopay before, or a payment still pending reconciliation
    if candidate.charge_date > today:
        if (
            candidate.charge_date - today <= timedelta(days=REMINDER_DAYS)
            and not candidate.above_ceiling
            and AUTOPAY_REMINDER not in history.notices
        ):
            report.reminded += await _notify_once(
                candidate,
                AUTOPAY_REMINDER,
                autopay_reminder(candidate.remaining, candidate.charge_date, candidate.due_date),
            )
        return False
    if candidate.above_ceiling:
        report.skipped_ceiling += 1
        if CEILING_SKIPPED not in history.notices:
            await _notify_once(
                candidate,
                CEILING_SKIPPED,
                ceiling_skipped(candidate.remaining, candidate.max_amount or 0, candidate.due_date),
            )
        return False
    next_day = next_attempt(candidate.charge_date, history.failed_dates)
    if next_day is None:
        if AUTOPAY_GAVE_UP not in history.notices:
            report.gave_up += await _notify_once(
                candidate,
                AUTOPAY_GAVE_UP,
                autopay_gave_up(len(RETRY_DAYS) + 1, candidate.remaining, candidate.due_date),
            )
        return False
    return today >= next_day


async def _record(
    candidate: Candidate, history: History, payment: Payment, *, today: date, report: AutopayReport
) -> None:
    if payment.status == PaymentStatus.SUCCEEDED:
        report.charged += 1
    elif payment.status == PaymentStatus.PENDING:
        report.pending += 1
    else:
        report.failed += 1
        if next_attempt(candidate.charge_date, [*history.failed_dates, today]) is None:
            report.gave_up += await _notify_once(
                candidate,
                AUTOPAY_GAVE_UP,
                autopay_gave_up(len(RETRY_DAYS) + 1, candidate.remaining, candidate.due_date),
            )


async def _notify_once(candidate: Candidate, kind: MessageKind, text: Text) -> int:
    """Record the notice and queue its messages in one commit; 0 when it had already gone out."""
    try:
        async with in_transaction() as connection:
            await BillingNotice.create(statement_id=candidate.statement_id, kind=kind, using_db=connection)
            await notify_account(
                candidate.account_id, "billing", Permission.VIEW_BILLING, text, kind, using_db=connection
            )
    except IntegrityError:
        return 0
    return 1


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)
