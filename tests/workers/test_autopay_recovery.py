"""Autopay recovers the same day: a dead run's leases lapse and the next run charges what it left, exactly
once; SIGTERM finishes the charges in flight and gives the rest back at once; concurrent runs (in one
process and in two) never charge a statement twice."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import timedelta
from typing import Any

from gateway.settings import Settings
from models.billing.autopay import AutopayReport, run_autopay
from models.billing.autopay_lease import LEASE_SECONDS, Lease
from models.billing.models import AutopayClaim, Payment, PaymentStatus
from models.billing.processor import ChargeResult, SandboxProcessor
from models.billing.reconcile import reconcile_pending
from models.db.clock import moved_ahead
from tests.billing_support import sandbox_charges
from tests.workers.autopay_support import (
    DUE,
    assert_each_charged_once,
    charges_reach,
    start_autopay_process,
    statements,
)

LAPSED = timedelta(seconds=LEASE_SECONDS + 1)


async def test_a_dead_runs_batch_is_charged_by_the_next_run_once_its_lease_lapses() -> None:
    # given a run that claimed today's batch and died before charging any of it
    ids = await statements(5)
    assert await Lease(DUE).claim(ids) == set(ids)
    # when autopay runs again at once, and again once the dead run's leases have lapsed
    at_once = await run_autopay(DUE)
    with moved_ahead(LAPSED):
        taken_over = await run_autopay(DUE)
        again = await run_autopay(DUE)
    # then the live leases are left alone, the lapsed ones taken over, and each statement charged once
    assert at_once == AutopayReport(held_elsewhere=5)
    assert taken_over == AutopayReport(charged=5)
    assert again == AutopayReport(already_done=5)
    await assert_each_charged_once(ids)


async def test_a_live_run_renews_its_leases() -> None:
    # given a run holding a batch, renewing its leases
    ids = await statements(2)
    lease = Lease(DUE)
    await lease.claim(ids)
    # when it renews just before they lapse, and another run comes after the first lease would have lapsed
    with moved_ahead(timedelta(seconds=LEASE_SECONDS - 1)):
        await lease.renew()
    with moved_ahead(LAPSED):
        other = await run_autopay(DUE)
    # then the other run leaves them to it
    assert other == AutopayReport(held_elsewhere=2)
    assert await sandbox_charges() == []


async def test_two_runs_taking_over_a_dead_runs_batch_at_once_charge_each_statement_once() -> None:
    # given a dead run's batch of 40, its leases lapsed
    ids = await statements(40)
    await Lease(DUE).claim(ids)
    with moved_ahead(LAPSED):
        # when two runs take it over at once, in small batches so their claims interleave
        reports = await asyncio.gather(run_autopay(DUE, batch_size=7), run_autopay(DUE, batch_size=7))
    # then
    assert sum(report.charged for report in reports) == 40
    assert sum(report.failed + report.pending for report in reports) == 0
    await assert_each_charged_once(ids)


async def test_a_run_killed_mid_batch_is_finished_the_same_day_without_a_second_charge(
    settings: Settings,
) -> None:
    # given 20 statements due and `gateway run-autopay` charging them with a slow processor
    ids = await statements(20)
    process = start_autopay_process(settings, DUE)
    # when it is SIGKILLed after the processor took some of the money
    await charges_reach(3)
    process.kill()
    await asyncio.to_thread(process.communicate, timeout=30)
    charged_before = {charge.idempotency_key for charge in await sandbox_charges()}
    attempted = await Payment.all().count()
    pending = await Payment.filter(status=PaymentStatus.PENDING).count()
    # and autopay runs again once its leases lapse, with the reconciliation
    with moved_ahead(LAPSED):
        rerun = await run_autopay(DUE)
        settled = await reconcile_pending(older_than_seconds=0)
    # then the statements it never attempted were charged, those it had attempted settled from their payment
    assert process.returncode == -signal.SIGKILL
    assert attempted >= len(charged_before) >= 3
    assert rerun == AutopayReport(charged=20 - attempted, already_done=attempted)
    assert settled == pending
    assert charged_before <= {charge.idempotency_key for charge in await sandbox_charges()}
    await assert_each_charged_once(ids)


async def test_sigterm_finishes_the_charges_in_flight_and_gives_the_rest_back_at_once(
    settings: Settings,
) -> None:
    # given 20 statements due and `gateway run-autopay` charging them with a slow processor
    ids = await statements(20)
    process = start_autopay_process(settings, DUE)
    # when it gets SIGTERM while the processor is answering
    await charges_reach(1)
    process.send_signal(signal.SIGTERM)
    out, err = await asyncio.to_thread(process.communicate, timeout=30)
    # then it ends with its report: what it charged, every charge in flight settled, and the rest given back
    assert process.returncode == 128 + signal.SIGTERM, err
    report = json.loads(out)
    assert report["charged"] >= 1
    assert report["charged"] + report["released"] == 20
    assert report["pending"] == report["failed"] == 0
    assert await Payment.filter(status=PaymentStatus.SUCCEEDED).count() == report["charged"]
    assert await Payment.filter(status__not=PaymentStatus.SUCCEEDED).count() == 0
    assert await AutopayClaim.filter(statement_id__in=ids).count() == report["charged"]
    # and the next run takes the rest at once, without waiting for a lease
    rerun = await run_autopay(DUE)
    assert rerun == AutopayReport(charged=report["released"], already_done=report["charged"])
    await assert_each_charged_once(ids)


async def test_two_run_autopay_processes_at_once_charge_each_statement_once(settings: Settings) -> None:
    # given 20 statements due
    ids = await statements(20)
    # when two `gateway run-autopay` processes run at once
    processes = [start_autopay_process(settings, DUE) for _ in range(2)]
    outputs = [await asyncio.to_thread(process.communicate, timeout=60) for process in processes]
    # then each statement was charged once, by one of them
    assert [process.returncode for process in processes] == [0, 0], outputs
    reports = [json.loads(out) for out, _ in outputs]
    assert sum(report["charged"] for report in reports) == 20
    assert sum(report["pending"] + report["failed"] for report in reports) == 0
    await assert_each_charged_once(ids)


async def test_a_run_told_to_stop_finishes_its_charge_and_gives_the_rest_back() -> None:
    # given statements due, and a processor during whose first charge the run is told to stop
    ids = await statements(3)
    stop = asyncio.Event()

    class StopDuringCharge(SandboxProcessor):
        async def charge(self, amount: int, token: str, idempotency_key: str, **options: Any) -> ChargeResult:
            stop.set()
            return await super().charge(amount, token, idempotency_key, **options)

    # when
    report = await run_autopay(DUE, processor=StopDuringCharge(), concurrency=1, stop=stop)
    # then the charge in flight finished, the two others were given back, and the next run takes them at once
    assert report == AutopayReport(charged=1, released=2)
    assert await AutopayClaim.all().count() == 1
    assert await run_autopay(DUE) == AutopayReport(charged=2, already_done=1)
    await assert_each_charged_once(ids)
