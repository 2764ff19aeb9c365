"""Every worker takes part in each day's autopay from AUTOPAY_TIME on (workers/billing.py): the day's
statements are charged once whichever workers run, a run that died is made good the same day, a finished
day is left alone, and a worker shutting down gives back what it has not started."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

import workers.billing
from gateway.settings import Settings
from models.billing.autopay_lease import LEASE_SECONDS, Lease, day_finished, day_in_hand
from models.billing.models import AutopayClaim, AutopayRun
from models.billing.processor import SandboxCharge
from models.db.clock import moved_ahead, utcnow
from tests.workers.autopay_support import (
    GATEWAY,
    assert_each_charged_once,
    charges_reach,
    enrolled,
    gateway_environ,
)
from workers.billing import stop_taking_part, take_part_in_autopay

LOOK_SECONDS = 0.05
LAPSED = timedelta(seconds=LEASE_SECONDS + 1)
MIDNIGHT = time(0, 0)


@pytest.fixture(autouse=True)
def quick_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers.billing, "AUTOPAY_LOOK_SECONDS", LOOK_SECONDS)


def today() -> date:
    return utcnow().date()


async def due_today(count: int) -> list[int]:
    return [(await enrolled(f"The Family{index}", due=today()))[1].id for index in range(count)]


def worker_ctx(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """A worker's context as on_startup leaves it, autopay starting at midnight unless told otherwise."""
    return {
        "settings": settings.with_overrides(**{"autopay_time": MIDNIGHT, **overrides}),
        "stopping": asyncio.Event(),
    }


@asynccontextmanager
async def taking_part(ctx: dict[str, Any]) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(take_part_in_autopay(ctx))
    try:
        yield task
    finally:
        ctx["stopping"].set()
        await stop_taking_part(task)


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(30):
        while True:  # polls the database: the run reports nothing to the test
            if await condition():
                return
            await asyncio.sleep(0.02)


async def looks(count: int) -> None:
    await asyncio.sleep(LOOK_SECONDS * count)


async def test_a_worker_charges_the_days_statements_from_autopay_time_and_finishes_the_day(
    worker_settings: Settings,
) -> None:
    # given three statements due today
    ids = await due_today(3)
    # when a worker takes part in the day's autopay, and keeps looking after the day is done
    async with taking_part(worker_ctx(worker_settings)):
        await until(lambda: day_finished(today()))
        await looks(5)
    # then one run charged each once and finished the day; the later looks started none
    assert await AutopayRun.filter(day=today()).count() == 1
    await assert_each_charged_once(ids)


async def test_before_autopay_time_a_worker_charges_nothing(worker_settings: Settings) -> None:
    # given a statement due today, and the clock at half past midnight with autopay at 07:00
    await due_today(1)
    now = utcnow()
    with moved_ahead(datetime.combine(now.date(), time(0, 30), now.tzinfo) - now):
        # when a worker looks several times
        async with taking_part(worker_ctx(worker_settings, autopay_time=time(7, 0))):
            await looks(5)
        # then it started no run
        assert await AutopayRun.all().count() == 0
    assert await SandboxCharge.all().count() == 0


async def test_with_payments_off_a_worker_takes_no_part(worker_settings: Settings) -> None:
    # given a statement due today, and no payment processor
    await due_today(1)
    # when a worker starts
    async with taking_part(worker_ctx(worker_settings, payment_processor="none")) as part:
        await looks(3)
        # then it left autopay at once, without a run
        assert part.done()
    assert await AutopayRun.all().count() == 0


async def test_a_run_that_died_is_made_good_by_a_worker_the_same_day(worker_settings: Settings) -> None:
    # given a run that claimed two of today's four statements and died (its lease still runs)
    ids = await due_today(4)
    dead = Lease(today())
    await AutopayRun.create(
        day=today(), holder=dead.holder, lease_until=utcnow() + timedelta(seconds=LEASE_SECONDS)
    )
    await dead.claim(ids[:2])
    async with taking_part(worker_ctx(worker_settings)):
        # when a worker takes part: it charges the two left, and leaves the dead run's to it while it lives
        await charges_reach(2)
        await looks(5)
        assert await SandboxCharge.all().count() == 2
        assert not await day_finished(today())
        # and once the dead run's leases lapse
        with moved_ahead(LAPSED):
            await until(lambda: day_finished(today()))
    # then the worker took them over the same day, each charged once
    await assert_each_charged_once(ids)


async def test_two_workers_take_part_and_charge_each_statement_once(worker_settings: Settings) -> None:
    # given twelve statements due today, and a processor that answers late
    ids = await due_today(12)
    slow = {"sandbox_latency_ms": 50, "autopay_concurrency": 2}
    # when two workers take part at once
    async with (
        taking_part(worker_ctx(worker_settings, **slow)),
        taking_part(worker_ctx(worker_settings, **slow)),
    ):
        await until(lambda: day_finished(today()))
    # then both ran, and each statement was charged once
    assert await AutopayRun.filter(day=today()).count() >= 2
    await assert_each_charged_once(ids)


async def test_a_worker_shutting_down_gives_back_what_it_has_not_started(worker_settings: Settings) -> None:
    # given six statements due today, and a worker charging one at a time with a slow processor
    ids = await due_today(6)
    ctx = worker_ctx(worker_settings, sandbox_latency_ms=200, autopay_concurrency=1)
    task = asyncio.create_task(take_part_in_autopay(ctx))
    await charges_reach(1)
    # when the worker shuts down
    ctx["stopping"].set()
    await stop_taking_part(task)
    # then it kept only the statements it charged, and its run is over, so the next worker starts at once
    assert await AutopayClaim.all().count() == await SandboxCharge.all().count() < 6
    assert not await day_in_hand(today())
    async with taking_part(worker_ctx(worker_settings)):
        await until(lambda: day_finished(today()))
    await assert_each_charged_once(ids)


async def test_gateway_worker_takes_part_and_gives_back_on_sigterm(
    worker_settings: Settings, tmp_path: Path
) -> None:
    # given twenty statements due today, and `gateway worker` charging two at a time with a slow processor
    ids = await due_today(20)
    environ = {
        **gateway_environ(worker_settings, "none", latency_ms=300),
        "REDIS_URL": worker_settings.redis_url or "",
        "AUTOPAY_TIME": "00:00",
        "AUTOPAY_CONCURRENCY": "2",
    }
    with (tmp_path / "worker.log").open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            str(GATEWAY), "worker", env=environ, stdout=log, stderr=log
        )
    try:
        await charges_reach(2)
    finally:
        # when it is told to stop
        os.kill(process.pid, signal.SIGTERM)
        async with asyncio.timeout(30):
            await process.wait()
    # then it finished its charges in flight and gave the rest back: the next run charges them at once
    assert await AutopayClaim.all().count() == await SandboxCharge.all().count() < 20
    assert not await day_in_hand(today()), (tmp_path / "worker.log").read_text(errors="replace")
    async with taking_part(worker_ctx(worker_settings)):
        await until(lambda: day_finished(today()))
    await assert_each_charged_once(ids)
