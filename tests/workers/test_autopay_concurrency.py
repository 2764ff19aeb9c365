"""Autopay keeps several charges in flight, never more than its concurrency, never one statement twice;
told to stop, it finishes those in flight and gives the rest back."""

from __future__ import annotations

import asyncio
from typing import Any

from models.billing.autopay import AutopayReport, run_autopay
from models.billing.models import AutopayClaim, Payment, PaymentStatus
from models.billing.processor import ChargeResult, SandboxProcessor
from tests.billing_support import sandbox_charges
from tests.workers.autopay_support import DUE, assert_each_charged_once, enrolled, statements


class GatedProcessor(SandboxProcessor):
    """The sandbox, holding each charge until the test opens its gate; counts the charges in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0
        self.gates: list[asyncio.Event] = []
        self.changed = asyncio.Condition()

    async def charge(self, amount: int, token: str, idempotency_key: str, **options: Any) -> ChargeResult:
        gate = asyncio.Event()
        async with self.changed:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.gates.append(gate)
            self.changed.notify_all()
        try:
            await gate.wait()
            return await super().charge(amount, token, idempotency_key, **options)
        finally:
            self.in_flight -= 1

    async def until_waiting(self, count: int) -> None:
        """Until `count` charges wait for their gate (a run that failed fails the test, not hangs it)."""
        async with asyncio.timeout(60), self.changed:
            await self.changed.wait_for(lambda: len(self.gates) == count)

    def open_one(self) -> None:
        self.gates.pop(0).set()


async def test_a_run_keeps_its_concurrency_in_flight_and_never_more() -> None:
    # given 12 statements due, in batches of 5, and a processor that answers when the test says
    ids = await statements(12)
    processor = GatedProcessor()
    run = asyncio.create_task(run_autopay(DUE, processor=processor, concurrency=4, batch_size=5))
    # when the test answers one charge at a time, each once as many as may be are waiting
    for remaining in range(12, 0, -1):
        await processor.until_waiting(min(4, remaining))
        processor.open_one()
    report = await run
    # then the run kept 4 in flight across its batches, no more, and charged each statement once
    assert processor.most_in_flight == 4
    assert report == AutopayReport(charged=12)
    await assert_each_charged_once(ids)


async def test_a_run_told_to_stop_finishes_every_charge_in_flight_and_gives_the_rest_back() -> None:
    # given 10 statements due and a run with 3 charges in flight
    ids = await statements(10)
    processor = GatedProcessor()
    stop = asyncio.Event()
    run = asyncio.create_task(run_autopay(DUE, processor=processor, concurrency=3, stop=stop))
    await processor.until_waiting(3)
    # when it is told to stop, and the processor then answers
    stop.set()
    for _ in range(3):
        processor.open_one()
    report = await run
    # then the three finished, the seven others were given back, and the next run charges them at once
    assert report == AutopayReport(charged=3, released=7)
    assert processor.most_in_flight == 3
    assert await AutopayClaim.all().count() == 3
    assert await run_autopay(DUE) == AutopayReport(charged=7, already_done=3)
    await assert_each_charged_once(ids)


async def test_two_runs_with_a_slow_processor_overlap_their_charges_and_charge_each_statement_once() -> None:
    # given 40 statements due and a processor answering a little late, counting the charges in flight
    ids = await statements(40)

    class Counting(SandboxProcessor):
        in_flight = most_in_flight = 0

        async def charge(self, amount: int, token: str, idempotency_key: str, **options: Any) -> ChargeResult:
            Counting.in_flight += 1
            Counting.most_in_flight = max(Counting.most_in_flight, Counting.in_flight)
            try:
                return await super().charge(amount, token, idempotency_key, **options)
            finally:
                Counting.in_flight -= 1

    processor = Counting(latency_seconds=0.05)
    # when two runs charge at once, 5 in flight each, in small batches so that their claims interleave
    reports = await asyncio.gather(
        *(run_autopay(DUE, processor=processor, concurrency=5, batch_size=7) for _ in range(2))
    )
    # then their charges overlapped, within both runs' bounds, and each statement was charged once
    assert 1 < Counting.most_in_flight <= 10
    assert sum(report.charged for report in reports) == 40
    assert sum(report.failed + report.pending + report.released for report in reports) == 0
    await assert_each_charged_once(ids)
    assert await run_autopay(DUE) == AutopayReport(already_done=40)


async def test_declines_and_statements_above_the_ceiling_are_handled_alike_with_charges_in_flight() -> None:
    # given accounts due today: two whose card is declined, one above its ceiling, five to charge
    for index in range(5):
        await enrolled(f"The Payers{index}")
    for index in range(2):
        await enrolled(f"The Decliners{index}", token="tok_chargeDeclined")
    await enrolled("The Spenders", amount=20_000, max_amount=10_000)
    # when autopay runs with several charges in flight
    report = await run_autopay(DUE, concurrency=4)
    # then
    assert report == AutopayReport(charged=5, failed=2, skipped_ceiling=1)
    assert await Payment.filter(status=PaymentStatus.FAILED).count() == 2
    assert len(await sandbox_charges()) == 7
