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
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.access import Permission
from models.billing.charge import AUTOPAY_KEY_PREFIX, IdempotencyKeyReused, charge
from models.billing.models import (
    BillingNotice,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
    format_money,
)
from models.billing.processor import PaymentProcessor
from models.db.clock import utcnow
from models.notify.messages import Text
from models.notify.send import notify_account

log = logging.getLogger(__name__)

REMINDER_DAYS = 3
RETRY_DAYS = (1, 3, 5)  # after the first failure
STALE_CLAIM_SECONDS = 600
CHARGE_CONCURRENCY = 4  # charges in flight per worker (PostgreSQL's pool holds 5 connections)

CLAIM_PREFIX = "AUTOPAY_ATTEMPT:"
AUTOPAY_REMINDER = "AUTOPAY_REMINDER"
CEILING_SKIPPED = "CEILING_SKIPPED"
AUTOPAY_GAVE_UP = "AUTOPAY_GAVE_UP"


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


@dataclass(frozen=True)
class Candidate:
    """A statement of an enrolled account, with its enrolment's terms."""

    statement_id: int
    account_id: int
    due_date: date
    remaining: int
    is_open: bool
    days_before_due: int
    max_amount: int | None
    payment_method_id: int

    @property
    def charge_date(self) -> date:
        return self.due_date - timedelta(days=self.days_before_due)

    @property
    def above_ceiling(self) -> bool:
        return self.max_amount is not None and self.remaining > self.max_amount


@dataclass
class History:
    """What earlier autopay runs left on one statement."""

    attempts: dict[date, PaymentStatus] = field(default_factory=dict)
    notices: dict[str, tuple[int, datetime]] = field(default_factory=dict)

    @property
    def failed_dates(self) -> list[date]:
        return sorted(day for day, status in self.attempts.items() if status == PaymentStatus.FAILED)


def attempt_key(statement_id: int, day: date) -> str:
    return f"{AUTOPAY_KEY_PREFIX}{statement_id}:{day.isoformat()}"


def claim_kind(day: date) -> str:
    return f"{CLAIM_PREFIX}{day.isoformat()}"


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
    while batch := await _candidates(today, after, batch_size):
        after = batch[-1].statement_id
        histories = await _histories([c.statement_id for c in batch])
        due: list[Candidate] = []
        for candidate in batch:
            if await _is_due(candidate, histories[candidate.statement_id], today, report):
                due.append(candidate)
        claimed = await _claim([c.statement_id for c in due], today)
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
            report.reminded += await _notify_once(candidate, AUTOPAY_REMINDER, _reminder(candidate))
        return False
    if candidate.above_ceiling:
        report.skipped_ceiling += 1
        if CEILING_SKIPPED not in history.notices:
            await _notify_once(candidate, CEILING_SKIPPED, _ceiling_skipped(candidate))
        return False
    next_day = next_attempt(candidate.charge_date, history.failed_dates)
    if next_day is None:
        if AUTOPAY_GAVE_UP not in history.notices:
            report.gave_up += await _notify_once(candidate, AUTOPAY_GAVE_UP, _gave_up(candidate))
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
            report.gave_up += await _notify_once(candidate, AUTOPAY_GAVE_UP, _gave_up(candidate))


async def _notify_once(candidate: Candidate, kind: str, text: Text) -> int:
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


# --- queries ------------------------------------------------------------------------------------------

_CANDIDATES = {
    "postgres": """
SELECT s.id, s.account_id, s.due_date, s.amount_due, s.amount_paid, s.status,
       e.days_before_due, e.max_amount, e.payment_method_id
FROM statement s JOIN autopay_enrollment e ON e.account_id = s.account_id
WHERE e.enabled AND s.id > $1 AND s.due_date - e.days_before_due <= $2
  AND (s.status = 'OPEN' OR EXISTS (
       SELECT 1 FROM billing_notice n WHERE n.statement_id = s.id AND n.kind = $3))
ORDER BY s.id LIMIT $4""",
    "sqlite": """
SELECT s.id, s.account_id, s.due_date, s.amount_due, s.amount_paid, s.status,
       e.days_before_due, e.max_amount, e.payment_method_id
FROM statement s JOIN autopay_enrollment e ON e.account_id = s.account_id
WHERE e.enabled AND s.id > ? AND date(s.due_date, '-' || e.days_before_due || ' days') <= ?
  AND (s.status = 'OPEN' OR EXISTS (
       SELECT 1 FROM billing_notice n WHERE n.statement_id = s.id AND n.kind = ?))
ORDER BY s.id LIMIT ?""",
}

_CLAIM = {
    "postgres": """
WITH claimable AS (
    SELECT id FROM statement WHERE id = ANY($1::bigint[]) AND status = 'OPEN'
    ORDER BY id FOR UPDATE SKIP LOCKED)
INSERT INTO billing_notice (statement_id, kind, created_at)
SELECT id, $2, $3 FROM claimable
ON CONFLICT (statement_id, kind) DO NOTHING RETURNING statement_id""",
    "sqlite": """
INSERT INTO billing_notice (statement_id, kind, created_at)
SELECT id, ?, ? FROM statement WHERE id IN ({ids}) AND status = 'OPEN'
ON CONFLICT (statement_id, kind) DO NOTHING RETURNING statement_id""",
}


def _dialect() -> str:
    dialect = str(connections.get("default").capabilities.dialect)
    if dialect not in _CANDIDATES:
        raise NotImplementedError(f"autopay runs on PostgreSQL or SQLite, not {dialect}")
    return dialect


async def _candidates(today: date, after: int, limit: int) -> list[Candidate]:
    """The next statements (by id) of enrolled accounts whose charge date is at most REMINDER_DAYS away:
    OPEN ones, and those an autopay run took today (so a re-run reports them as done)."""
    dialect = _dialect()
    horizon = today + timedelta(days=REMINDER_DAYS)
    rows = await connections.get("default").execute_query_dict(
        _CANDIDATES[dialect], [after, horizon, claim_kind(today), limit]
    )
    return [
        Candidate(
            statement_id=int(row["id"]),
            account_id=int(row["account_id"]),
            due_date=_as_date(row["due_date"]),
            remaining=int(row["amount_due"]) - int(row["amount_paid"]),
            is_open=row["status"] == "OPEN",
            days_before_due=int(row["days_before_due"]),
            max_amount=None if row["max_amount"] is None else int(row["max_amount"]),
            payment_method_id=int(row["payment_method_id"]),
        )
        for row in rows
    ]


async def _histories(statement_ids: list[int]) -> dict[int, History]:
    histories = {statement_id: History() for statement_id in statement_ids}
    payments = await Payment.filter(statement_id__in=statement_ids, source=PaymentSource.AUTOPAY).values_list(
        "statement_id", "idempotency_key", "status"
    )
    for statement_id, key, status in payments:
        if key.startswith(f"{AUTOPAY_KEY_PREFIX}{statement_id}:"):
            histories[int(statement_id)].attempts[date.fromisoformat(key.rpartition(":")[2])] = PaymentStatus(
                status
            )
    notices = await BillingNotice.filter(statement_id__in=statement_ids).values_list(
        "statement_id", "kind", "id", "created_at"
    )
    for statement_id, kind, notice_id, created_at in notices:
        histories[int(statement_id)].notices[kind] = (int(notice_id), created_at)
    return histories


async def _claim(statement_ids: list[int], today: date) -> set[int]:
    """Claim today's attempt of these statements; returns those this run got (see the module docstring)."""
    if not statement_ids:
        return set()
    dialect = _dialect()
    values: list[Any]
    if dialect == "postgres":
        sql, values = _CLAIM[dialect], [statement_ids, claim_kind(today), utcnow()]
    else:
        sql = _CLAIM[dialect].format(ids=", ".join("?" * len(statement_ids)))
        values = [claim_kind(today), utcnow(), *statement_ids]
    rows = await connections.get("default").execute_query_dict(sql, values)
    return {int(row["statement_id"]) for row in rows}


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


# --- texts --------------------------------------------------------------------------------------------


def _text(subject: str, sentence: str) -> Text:
    return Text(subject=subject, body=f"Hello,\n\n{sentence}\n\nThank you for being our customer.\n")


def _reminder(candidate: Candidate) -> Text:
    return _text(
        "Autopay will pay your statement soon",
        f"Autopay will charge {format_money(candidate.remaining)} on {candidate.charge_date.isoformat()} "
        f"for your statement due {candidate.due_date.isoformat()}. There is nothing for you to do.",
    )


def _ceiling_skipped(candidate: Candidate) -> Text:
    limit = format_money(candidate.max_amount or 0)
    return _text(
        "Autopay did not pay your statement",
        f"Your statement of {format_money(candidate.remaining)} is above your autopay limit of {limit}, "
        f"so autopay did not charge it. Please pay it by {candidate.due_date.isoformat()}.",
    )


def _gave_up(candidate: Candidate) -> Text:
    return _text(
        "Autopay could not pay your statement",
        f"Autopay tried {len(RETRY_DAYS) + 1} times to charge {format_money(candidate.remaining)} and "
        f"each charge was refused, so it has stopped trying. Please pay your statement due "
        f"{candidate.due_date.isoformat()} with another payment method.",
    )
