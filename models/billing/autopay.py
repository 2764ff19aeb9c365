"""The daily autopay run: charge each due statement of an enrolled account once per attempt day.

A statement is due on its charge date (due date - days before due); a failed charge is tried again 1,
3 and 5 days after the first failure, then autopay stops and tells the member once. A statement above
the enrolment's ceiling is not charged and the member is told once; members are reminded 3 days
before the charge date, once. Notices are BillingNotice rows (unique per statement and kind) committed
with their outbox messages, so a re-run never repeats one.

How two workers (or a re-run, or a crashed run) never charge a statement twice:
- The payment's idempotency key `autopay:<statement id>:<attempt date>` is unique per account, and the
  one charge operation (models.billing.charge) turns a second use of it into the same payment, never a second
  charge: that is the guarantee.
- On top of it each worker *claims* the statements it will charge, so that two workers split the work
  instead of racing for the same rows: a claim is a BillingNotice `AUTOPAY_ATTEMPT:<date>`, inserted by
  one statement (`INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`) that on PostgreSQL takes
  the statements `FOR UPDATE SKIP LOCKED` (rows another worker is claiming or settling are left to it);
  on SQLite the single INSERT runs under the database's write lock, the transaction-level equivalent.
  The claim commits at once and the charges run after it, outside any transaction: holding row locks
  while the processor answers would stall every other worker (and deadlock with the settlement, which
  updates the same statement rows from another connection).
- A crash after the claim leaves either no payment (the claim goes stale after STALE_CLAIM_SECONDS and
  a re-run claims the statement again) or a PENDING payment, which `models.billing.charge.reconcile_pending`
  settles by asking the processor again with the same key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.access import Permission
from models.billing.autopay_batch import (
    REMINDER_DAYS,
    Candidate,
    History,
    claim_attempts,
    claim_kind,
    due_candidates,
    load_histories,
)
from models.billing.charge import AUTOPAY_KEY_PREFIX, IdempotencyKeyReused, charge
from models.billing.messages import autopay_gave_up, autopay_reminder, ceiling_skipped
from models.billing.models import (
    BillingNotice,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from models.billing.processor import PaymentProcessor
from models.db.clock import utcnow
from models.notify.messages import Text
from models.notify.outbox import MessageKind
from models.notify.send import notify_account

log = logging.getLogger(__name__)

RETRY_DAYS = (1, 3, 5)  # after the first failure
STALE_CLAIM_SECONDS = 600
CHARGE_CONCURRENCY = 4  # charges in flight per worker (PostgreSQL's pool holds 5 connections)

AUTOPAY_REMINDER = MessageKind.AUTOPAY_REMINDER
CEILING_SKIPPED = MessageKind.CEILING_SKIPPED
AUTOPAY_GAVE_UP = MessageKind.AUTOPAY_GAVE_UP


@dataclass
class AutopayReport:
    """What one run did; `already_done` counts statements an earlier run or another worker took today."""

    charged: int = 0
    failed: int = 0
    pending: int = 0  # the processor's answer is unknown; reconcile_pending settles them
    skipped_ceiling: int = 0
    reminded: int = 0
    gave_up: int = 0
    already_done: int = 0

    def as_json(self) -> dict[str, int]:
        return {_camel(name): value for name, value in asdict(self).items()}


def attempt_key(statement_id: int, day: date) -> str:
    return f"{AUTOPAY_KEY_PREFIX}{statement_id}:{day.isoformat()}"


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
    batch_size: int = 500,
    concurrency: int = CHARGE_CONCURRENCY,
) -> AutopayReport:
    """Remind, skip, claim and charge every enrolled account's due statements, a batch at a time."""
    report = AutopayReport()
    after = 0
    while batch := await due_candidates(today, after, batch_size):
        after = batch[-1].statement_id
        histories = await load_histories([c.statement_id for c in batch])
        due: list[Candidate] = []
        for candidate in batch:
            if await _is_due(candidate, histories[candidate.statement_id], today, report):
                due.append(candidate)
        claimed = await claim_attempts([c.statement_id for c in due], today)
        report.already_done += len(due) - len(claimed)
        to_charge = [c for c in due if c.statement_id in claimed]
        await _charge_all(to_charge, histories, today, processor, concurrency, report)
    return report


async def _is_due(candidate: Candidate, history: History, today: date, report: AutopayReport) -> bool:
    """Whether to charge the statement today; sends the reminder, ceiling and gave-up notices on the way."""
    if today in history.attempts:
        report.already_done += 1
        return False
    claim = history.notices.get(claim_kind(today))
    if claim is not None:
        if not await _release_stale(*claim):
            report.already_done += 1
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


async def _release_stale(notice_id: int, claimed_at: datetime) -> bool:
    """Drop a claim whose run died before charging (no payment under today's key); True if dropped."""
    if utcnow() - claimed_at < timedelta(seconds=STALE_CLAIM_SECONDS):
        return False
    return await BillingNotice.filter(id=notice_id, created_at=claimed_at).delete() == 1


async def _charge_all(
    candidates: list[Candidate],
    histories: dict[int, History],
    today: date,
    processor: PaymentProcessor | None,
    concurrency: int,
    report: AutopayReport,
) -> None:
    methods = {
        method.id: method
        for method in await PaymentMethod.filter(id__in={c.payment_method_id for c in candidates})
    }
    slots = asyncio.Semaphore(concurrency)

    async def charge_one(candidate: Candidate) -> None:
        async with slots:
            try:
                payment = await charge(
                    account_id=candidate.account_id,
                    amount=candidate.remaining,
                    payment_method=methods[candidate.payment_method_id],
                    idempotency_key=attempt_key(candidate.statement_id, today),
                    source=PaymentSource.AUTOPAY,
                    statement_id=candidate.statement_id,
                    processor=processor,
                )
            except IdempotencyKeyReused:
                log.warning(
                    "autopay of statement %s: today's key was used differently", candidate.statement_id
                )
                report.already_done += 1
                return
            await _record(candidate, histories[candidate.statement_id], payment, today, report)

    await asyncio.gather(*(charge_one(candidate) for candidate in candidates))


async def _record(
    candidate: Candidate, history: History, payment: Payment, today: date, report: AutopayReport
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
