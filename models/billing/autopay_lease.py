"""An autopay run's claims on the statements it charges today: leases that lapse unless the run renews them.

A run claims a batch in one statement (`INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE the lease
has lapsed RETURNING`), so it gets the statements nobody holds and those whose holder stopped renewing;
on PostgreSQL it takes the statements `FOR UPDATE SKIP LOCKED` (rows another run is claiming or a
settlement is updating are left to them), on SQLite the one INSERT runs under the database's write lock.
While it charges, a background task renews the leases of the statements it has not finished every
RENEW_SECONDS; a run that dies stops renewing, so its batch is free again within LEASE_SECONDS. A run
told to stop gives back the statements it has not started at once.

Claims only split the work: a statement taken over after its charge started is settled from its payment
row (the idempotency key of models/billing/charge.py), never charged twice.

The run itself holds a lease too, an AutopayRun row renewed with its claims: it tells the workers whether a
run of the day is live, and once a run went through the whole day leaving nothing to another run it marks
the day finished (`day_finished`). Until then the workers start runs (workers/billing.py), so a run that
died before it claimed anything, or whose claims lapsed after the others had passed them, is made good the
same day.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.billing.models import AutopayClaim, AutopayRun
from models.db.clock import utcnow

log = logging.getLogger(__name__)

LEASE_SECONDS = 90
RENEW_SECONDS = 30

_CLAIM = {
    "postgres": """
WITH claimable AS (
    SELECT id FROM statement WHERE id = ANY($1::bigint[]) AND status = 'OPEN'
    ORDER BY id FOR UPDATE SKIP LOCKED)
INSERT INTO autopay_claim (statement_id, day, holder, lease_until)
SELECT id, $2, $3, $4 FROM claimable
ON CONFLICT (statement_id, day) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
WHERE autopay_claim.lease_until < $5
RETURNING statement_id""",
    "sqlite": """
INSERT INTO autopay_claim (statement_id, day, holder, lease_until)
SELECT id, ?, ?, ? FROM statement WHERE id IN ({ids}) AND status = 'OPEN'
ON CONFLICT (statement_id, day) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
WHERE autopay_claim.lease_until < ?
RETURNING statement_id""",
}


class Lease:
    """One run's claims of `day`: those it holds and has not started charging, and those it is charging."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.holder = uuid.uuid4().hex
        self.waiting: set[int] = set()
        self.charging: set[int] = set()
        self.finished = False  # set by the run once it went through the whole day (see `day_finished`)

    async def claim(self, statement_ids: list[int]) -> set[int]:
        """Claim today's attempt of these statements; returns those this run got."""
        if not statement_ids:
            return set()
        dialect = str(connections.get("default").capabilities.dialect)
        now = utcnow()
        values: list[Any]
        if dialect == "postgres":
            sql = _CLAIM[dialect]
            values = [statement_ids, self.day, self.holder, now + timedelta(seconds=LEASE_SECONDS), now]
        elif dialect == "sqlite":
            sql = _CLAIM[dialect].format(ids=", ".join("?" * len(statement_ids)))
            values = [self.day, self.holder, now + timedelta(seconds=LEASE_SECONDS), *statement_ids, now]
        else:
            raise NotImplementedError(f"autopay runs on PostgreSQL or SQLite, not {dialect}")
        rows = await connections.get("default").execute_query_dict(sql, values)
        claimed = {int(row["statement_id"]) for row in rows}
        self.waiting |= claimed
        return claimed

    def start(self, statement_id: int) -> None:
        self.waiting.discard(statement_id)
        self.charging.add(statement_id)

    def finish(self, statement_id: int) -> None:
        self.charging.discard(statement_id)

    async def renew(self) -> None:
        lease_until = utcnow() + timedelta(seconds=LEASE_SECONDS)
        await AutopayRun.filter(holder=self.holder).update(lease_until=lease_until)
        held = self.waiting | self.charging
        if held:
            await self._mine(held).update(lease_until=lease_until)

    async def release(self) -> int:
        """Give back the statements not started, so that the next run takes them at once; how many."""
        waiting, self.waiting = self.waiting, set()
        return await self._mine(waiting).delete() if waiting else 0

    @contextlib.asynccontextmanager
    async def renewed(self) -> AsyncIterator[Lease]:
        """Renew the leases while the block runs; on the way out (a crash, a cancellation too) give back
        the statements not started, and end the run: finished if it said so, else no longer live."""
        await AutopayRun.create(
            day=self.day, holder=self.holder, lease_until=utcnow() + timedelta(seconds=LEASE_SECONDS)
        )
        renewer = asyncio.create_task(self._keep_renewing())
        try:
            yield self
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            await asyncio.shield(self._end())

    async def _end(self) -> None:
        if self.waiting:
            await self.release()
        now = utcnow()
        await AutopayRun.filter(holder=self.holder).update(
            lease_until=now, finished_at=now if self.finished else None
        )

    async def _keep_renewing(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await self.renew()
            except Exception:
                # A lapsed lease only lets another run take over; the payment's key keeps that safe.
                log.warning("autopay could not renew its leases", exc_info=True)

    def _mine(self, statement_ids: set[int]) -> QuerySet[AutopayClaim]:
        return AutopayClaim.filter(holder=self.holder, day=self.day, statement_id__in=sorted(statement_ids))


async def day_finished(day: date) -> bool:
    """Whether a run of `day` went through it all, leaving nothing to another run."""
    return await AutopayRun.filter(day=day, finished_at__isnull=False).exists()


async def day_in_hand(day: date) -> bool:
    """Whether the day needs no new run: it is finished, or a run of it is live (renewing its lease)."""
    finished_or_live = Q(finished_at__isnull=False) | Q(lease_until__gte=utcnow())
    return await AutopayRun.filter(finished_or_live, day=day).exists()
