"""How an autopay run gets through the day's statements: it claims them a batch at a time (the next batch
while the current one is charged) and keeps a bounded number of charges in flight.

The processor answers in a few hundred milliseconds and a charge holds no database connection while it
waits (models/billing/charge.py uses one for each statement, or one per transaction), so a run is bound
by how many charges it keeps in flight, not by the pool: `concurrency` charges at once, started as soon as
a slot is free. Batches stay small so that runs in several workers split the day between them (each
claims its own, models/billing/autopay_lease.py) and none is left waiting while another holds much more
than it is charging: a run holds at most two batches it has not started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from models.billing.autopay_batch import Candidate, History, due_candidates, load_histories
from models.billing.autopay_lease import Lease
from models.billing.charge import AUTOPAY_KEY_PREFIX, IdempotencyKeyReused, charge
from models.billing.models import Payment, PaymentMethod, PaymentSource
from models.billing.processor import PaymentProcessor

log = logging.getLogger(__name__)

IsDue = Callable[[Candidate, History], Awaitable[bool]]
Record = Callable[[Candidate, History, Payment], Awaitable[None]]


class Tally(Protocol):
    held_elsewhere: int
    already_done: int


@dataclass(frozen=True)
class Due:
    """A claimed statement with what its charge needs."""

    candidate: Candidate
    history: History
    method: PaymentMethod


def attempt_key(statement_id: int, day: date) -> str:
    return f"{AUTOPAY_KEY_PREFIX}{statement_id}:{day.isoformat()}"


class ClaimedBatches:
    """The statements due today that this run claimed, a batch at a time in statement order; `is_due`
    decides (and sends the reminders and notices on the way)."""

    def __init__(
        self, today: date, size: int, lease: Lease, stop: asyncio.Event, tally: Tally, is_due: IsDue
    ) -> None:
        self.today = today
        self.size = size
        self.lease = lease
        self.stop = stop
        self.tally = tally
        self.is_due = is_due
        self.after = 0

    async def next(self) -> list[Due]:
        """The next claimed batch; empty once no statement is left or the run is told to stop."""
        while not self.stop.is_set():
            batch = await due_candidates(self.today, self.after, self.size)
            if not batch:
                return []
            self.after = batch[-1].statement_id
            histories = await load_histories([c.statement_id for c in batch], self.today)
            due = [c for c in batch if await self.is_due(c, histories[c.statement_id])]
            claimed = await self.lease.claim([c.statement_id for c in due])
            self.tally.held_elsewhere += len(due) - len(claimed)
            to_charge = [c for c in due if c.statement_id in claimed]
            if to_charge:
                method_ids = {c.payment_method_id for c in to_charge}
                methods = {method.id: method for method in await PaymentMethod.filter(id__in=method_ids)}
                return [Due(c, histories[c.statement_id], methods[c.payment_method_id]) for c in to_charge]
        return []


class Charging:
    """One run's charges, at most `concurrency` in flight; none starts once `stop` is set."""

    def __init__(
        self,
        today: date,
        processor: PaymentProcessor | None,
        concurrency: int,
        lease: Lease,
        stop: asyncio.Event,
        tally: Tally,
        record: Record,
    ) -> None:
        self.today = today
        self.processor = processor
        self.slots = asyncio.Semaphore(concurrency)
        self.lease = lease
        self.stop = stop
        self.tally = tally
        self.record = record

    async def charge_all(self, batches: ClaimedBatches) -> None:
        """Charge every batch, claiming the next while the current one is charged; returns when the
        charges started have finished (those claimed and not started are left to Lease.release)."""
        async with asyncio.TaskGroup() as tasks:
            upcoming = tasks.create_task(batches.next())
            while batch := await upcoming:
                upcoming = tasks.create_task(batches.next())
                for due in batch:
                    await self.slots.acquire()
                    if self.stop.is_set():
                        self.slots.release()
                        break
                    self.lease.start(due.candidate.statement_id)
                    tasks.create_task(self._charge_one(due))

    async def _charge_one(self, due: Due) -> None:
        """One charge in a slot taken for it (given back when it ends)."""
        try:
            candidate = due.candidate
            try:
                payment = await charge(
                    account_id=candidate.account_id,
                    amount=candidate.remaining,
                    payment_method=due.method,
                    idempotency_key=attempt_key(candidate.statement_id, self.today),
                    source=PaymentSource.AUTOPAY,
                    statement_id=candidate.statement_id,
                    processor=self.processor,
                )
            except IdempotencyKeyReused:
                log.warning(
                    "autopay of statement %s: today's key was used differently",
                    candidate.statement_id,
                )
                self.tally.already_done += 1
                return
            finally:
                self.lease.finish(candidate.statement_id)
            await self.record(candidate, due.history, payment)
        finally:
            self.slots.release()
