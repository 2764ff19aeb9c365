"""The autopay run's batch reads: the due statements of enrolled accounts with their terms, and what earlier
runs (and live ones: their leases, models/billing/autopay_lease.py) left on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tortoise import connections

from models.billing.charge import AUTOPAY_KEY_PREFIX
from models.billing.models import (
    AutopayClaim,
    BillingNotice,
    Payment,
    PaymentSource,
    PaymentStatus,
    StatementStatus,
)

REMINDER_DAYS = 3


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
    notices: set[str] = field(default_factory=set)
    leased_until: datetime | None = None  # today's claim, by this run or another

    @property
    def failed_dates(self) -> list[date]:
        return sorted(day for day, status in self.attempts.items() if status == PaymentStatus.FAILED)


_CANDIDATES = {
    "postgres": """
SELECT s.id, s.account_id, s.due_date, s.amount_due, s.amount_paid, s.status,
       e.days_before_due, e.max_amount, e.payment_method_id
FROM statement s JOIN autopay_enrollment e ON e.account_id = s.account_id
WHERE e.enabled AND s.id > $1 AND s.due_date - e.days_before_due <= $2
  AND (s.status = 'OPEN' OR EXISTS (
       SELECT 1 FROM autopay_claim c WHERE c.statement_id = s.id AND c.day = $3))
ORDER BY s.id LIMIT $4""",
    "sqlite": """
SELECT s.id, s.account_id, s.due_date, s.amount_due, s.amount_paid, s.status,
       e.days_before_due, e.max_amount, e.payment_method_id
FROM statement s JOIN autopay_enrollment e ON e.account_id = s.account_id
WHERE e.enabled AND s.id > ? AND date(s.due_date, '-' || e.days_before_due || ' days') <= ?
  AND (s.status = 'OPEN' OR EXISTS (
       SELECT 1 FROM autopay_claim c WHERE c.statement_id = s.id AND c.day = ?))
ORDER BY s.id LIMIT ?""",
}


def _dialect() -> str:
    dialect = str(connections.get("default").capabilities.dialect)
    if dialect not in _CANDIDATES:
        raise NotImplementedError(f"autopay runs on PostgreSQL or SQLite, not {dialect}")
    return dialect


async def due_candidates(today: date, after: int, limit: int) -> list[Candidate]:
    """The next statements (by id) of enrolled accounts whose charge date is at most REMINDER_DAYS away:
    OPEN ones, and those an autopay run took today (so a re-run reports them as done)."""
    dialect = _dialect()
    horizon = today + timedelta(days=REMINDER_DAYS)
    rows = await connections.get("default").execute_query_dict(
        _CANDIDATES[dialect], [after, horizon, today, limit]
    )
    return [
        Candidate(
            statement_id=int(row["id"]),
            account_id=int(row["account_id"]),
            due_date=_as_date(row["due_date"]),
            remaining=int(row["amount_due"]) - int(row["amount_paid"]),
            is_open=row["status"] == StatementStatus.OPEN,
            days_before_due=int(row["days_before_due"]),
            max_amount=None if row["max_amount"] is None else int(row["max_amount"]),
            payment_method_id=int(row["payment_method_id"]),
        )
        for row in rows
    ]


async def load_histories(statement_ids: list[int], today: date) -> dict[int, History]:
    histories = {statement_id: History() for statement_id in statement_ids}
    payments = await Payment.filter(statement_id__in=statement_ids, source=PaymentSource.AUTOPAY).values_list(
        "statement_id", "idempotency_key", "status"
    )
    for statement_id, key, status in payments:
        if key.startswith(f"{AUTOPAY_KEY_PREFIX}{statement_id}:"):
            histories[int(statement_id)].attempts[date.fromisoformat(key.rpartition(":")[2])] = PaymentStatus(
                status
            )
    notices = await BillingNotice.filter(statement_id__in=statement_ids).values_list("statement_id", "kind")
    for statement_id, kind in notices:
        histories[int(statement_id)].notices.add(kind)
    claims = await AutopayClaim.filter(statement_id__in=statement_ids, day=today).values_list(
        "statement_id", "lease_until"
    )
    for statement_id, lease_until in claims:
        histories[int(statement_id)].leased_until = lease_until
    return histories


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
