"""The autopay kill drill (issue 14): the day's autopay on PostgreSQL with two autopay processes, killed and
restarted at random moments, must end with every eligible statement charged exactly once.

Run from the repository root, on a database it may wipe and a Redis database it may flush:
    .venv/bin/python -m bench.drill --database postgres://postgres@127.0.0.1/drill \
        --redis redis://127.0.0.1:6379/13 [--quick] [--record]

It seeds N accounts enrolled in autopay (bench/autopay.py's seeding), each with a statement charged today
(UTC) and a primary member with an e-mail address; 1 in 20 has a card the sandbox declines and 1 in 20 a
statement above the enrolment's ceiling. It starts `gateway worker` (AUTOPAY_TIME the current minute: it
starts a run at once, and looks every minute whether the day needs another) and `gateway run-autopay`,
as an operator does: the sandbox processor answering SANDBOX_LATENCY_MS late, mail to an SMTP sink this
script runs. Once charging has begun it sends SIGKILLs and SIGTERMs (seeded random order, targets and
gaps; printed) and each killed process is started again (bench/drill_processes.py). Then it waits, at
most --settle-seconds after the last kill, until every eligible statement has a settled payment and the
outbox is drained, and prints the figures (bench/drill_tally.py) as JSON. Exit status 1 if a statement
was charged twice or stranded.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so `python bench/drill.py` finds the project as `-m` does
    sys.path.insert(0, str(ROOT))

import redis.asyncio as aioredis  # noqa: E402

from bench.autopay import AMOUNT, fresh_database, seed  # noqa: E402
from bench.drill_processes import GATEWAY, Supervised  # noqa: E402
from bench.drill_tally import (  # noqa: E402
    due_statements,
    in_flight,
    ledger_size,
    outbox_busy,
    pending,
    record,
    tally,
    unsettled,
)
from models.db.clock import utcnow  # noqa: E402
from models.db.database import close_database, open_database  # noqa: E402
from tests.workers.support import SmtpServer, smtp_server  # noqa: E402

MIN_UPTIME_SECONDS = 5.0  # a process is killed once it has started up, not while it imports
KILL_GAP_SECONDS = (2.0, 8.0)
CHARGING_WAIT_SECONDS = 150.0  # longer than a dead run's leases take to lapse (LEASE_SECONDS)


def token_of(account: int) -> str:
    return "tok_chargeDeclined" if account % 20 == 7 else "tok_visa"


def ceiling_of(account: int) -> int | None:
    return AMOUNT - 1 if account % 20 == 13 else None


def environ(args: argparse.Namespace, data_dir: Path, smtp_url: str) -> dict[str, str]:
    """The processes' environment: development, as an operator runs the system on one machine."""
    # The day's autopay starts now: each worker (and each restarted one) starts a run at once.
    autopay_at = utcnow()
    return {
        "PATH": os.environ.get("PATH", ""),
        "ENVIRONMENT": "development",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": args.database,
        "REDIS_URL": args.redis,
        "SMTP_URL": smtp_url,
        "PAYMENT_PROCESSOR": "sandbox",
        "SANDBOX_LATENCY_MS": str(args.latency_ms),
        "AUTOPAY_CONCURRENCY": str(args.concurrency),
        "AUTOPAY_TIME": f"{autopay_at:%H:%M}",
    }


def say(message: str) -> None:
    print(f"[drill {utcnow():%H:%M:%S}] {message}", file=sys.stderr, flush=True)  # noqa: T201


async def prepare(args: argparse.Namespace, env: dict[str, str], today: datetime.date) -> None:
    """Wipe and migrate the database, seed the day's accounts, flush the Redis database."""
    await fresh_database(args.database, tables=False)
    migrate = await asyncio.create_subprocess_exec(GATEWAY, "migrate", env=env, cwd=ROOT)
    if await migrate.wait() != 0:
        raise SystemExit("gateway migrate failed")
    await seed(args.database, args.accounts, due=today, token_of=token_of, ceiling_of=ceiling_of)
    client = aioredis.Redis.from_url(args.redis)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def until(condition: Callable[[], Awaitable[bool]], seconds: float, every: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(every)
    return False


async def kill_at_random(
    args: argparse.Namespace, roles: list[Supervised], started: float
) -> list[dict[str, Any]]:
    """Deliver --kills SIGKILLs and as many SIGTERMs, in a seeded random order, to a random live process
    (one that has started up and is not already stopping), a random gap apart and once the processor has
    taken a charge since the last kill, so that each lands while autopay is charging."""
    rng = random.Random(args.seed)
    plan = [signal.SIGKILL, signal.SIGTERM] * args.kills
    rng.shuffle(plan)
    kills: list[dict[str, Any]] = []
    for number in plan:
        await asyncio.sleep(rng.uniform(*KILL_GAP_SECONDS))
        preferred = rng.choice(roles)
        before = kills[-1]["ledger"] if kills else 0
        if not await until(partial(_charging, roles, before), CHARGING_WAIT_SECONDS, every=0.2):
            say(f"no charge for {CHARGING_WAIT_SECONDS} s since the last kill; killing all the same")
            if not await until(partial(_charging, roles, -1), CHARGING_WAIT_SECONDS, every=0.2):
                say("no process to kill; ending the kills")
                break
        target = preferred if _killable(preferred) else next(role for role in roles if _killable(role))
        charges_in_flight, ledger = await in_flight(), await ledger_size()
        uptime = target.uptime
        pid = target.send(number)
        kills.append(
            {
                "at": round(time.monotonic() - started, 1),
                "signal": number.name,
                "target": target.name,
                "pid": pid,
                "uptime": round(uptime, 1),
                "chargesInFlight": charges_in_flight,
                "ledger": ledger,
            }
        )
        say(f"{number.name} -> {target.name} (pid {pid}, up {uptime:.1f} s, {charges_in_flight} in flight)")
    return kills


def _count_cut_smtp_sessions() -> list[BaseException]:
    """A worker killed while it talks to the SMTP sink cuts its session: count those instead of printing
    the sink's tracebacks (the message was not received; the outbox sends it again)."""
    cut: list[BaseException] = []
    loop = asyncio.get_running_loop()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, ConnectionResetError | asyncio.IncompleteReadError):
            cut.append(error)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)
    return cut


def _names(roles: list[str]) -> list[str]:
    """The roles, numbered where one appears more than once (run-autopay-1, run-autopay-2)."""
    return [
        f"{role}-{roles[:i].count(role) + 1}" if roles.count(role) > 1 else role
        for i, role in enumerate(roles)
    ]


async def _charging(roles: list[Supervised], ledger_before: int) -> bool:
    """A process can be killed, and the ledger has grown past `ledger_before`."""
    return any(_killable(role) for role in roles) and await ledger_size() > ledger_before


def _killable(role: Supervised) -> bool:
    return role.alive and role.signalled is None and role.uptime >= MIN_UPTIME_SECONDS


async def drill(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    today = utcnow().date()
    cut = _count_cut_smtp_sessions()
    async with smtp_server() as smtp:
        env = environ(args, logs / "data", smtp.url)
        say(f"seeding {args.accounts} accounts due {today} (logs in {logs})")
        await prepare(args, env, today)
        await open_database(args.database)
        try:
            figures = await _day(args, env, logs, today, smtp)
            figures["messages"]["smtpSessionsCutByKills"] = len(cut)
            return figures
        finally:
            await close_database()


async def _day(
    args: argparse.Namespace, env: dict[str, str], logs: Path, today: datetime.date, smtp: SmtpServer
) -> dict[str, Any]:
    statements = await due_statements(today)
    roles = [
        Supervised(name, role, env, logs, keep_running=role == "worker")
        for name, role in zip(_names(args.processes), args.processes, strict=True)
    ]
    started = time.monotonic()
    for role in roles:
        await role.start()
    say(f"started {', '.join(args.processes)}; AUTOPAY_TIME={env['AUTOPAY_TIME']}; seed {args.seed}")

    async def work_remains() -> bool:
        return await unsettled(today, statements) > 0

    for role in roles:
        role.rerun_while = work_remains
    supervisors = [asyncio.create_task(role.supervise()) for role in roles]

    async def charging() -> bool:
        return await ledger_size() > 0

    if not await until(charging, 180, every=0.2):
        raise SystemExit("no charge in 180 s: is any process running autopay? see the logs")
    kills = await kill_at_random(args, roles, started)
    last_kill = time.monotonic()
    for role in roles:
        role.rerun_while = None

    async def day_over() -> bool:
        return not await unsettled(today, statements) and not await pending() and not await outbox_busy()

    over = await until(day_over, args.settle_seconds, every=2.0)
    settled_after = time.monotonic() - last_kill
    say(f"day {'over' if over else 'NOT over'} {settled_after:.0f} s after the last kill; stopping")
    for role in roles:
        await role.stop()
    await asyncio.gather(*supervisors)
    await asyncio.sleep(1)  # the sink's last sessions
    figures = await tally(today, list(smtp.received))
    figures["messages"]["stuck"] = sum(figures["messages"]["notSent"].values())
    return {
        **figures,
        "dayOver": over,
        "secondsFromLastKillToDayOver": round(settled_after, 1) if over else None,
        "wallSeconds": round(time.monotonic() - started, 1),
        "kills": kills,
        "processes": {role.name: role.summary() for role in roles},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL database the drill may wipe")
    parser.add_argument("--redis", required=True, help="a Redis database the drill may flush")
    parser.add_argument("--quick", action="store_true", help="200 accounts, 3 + 3 kills, 1 charge in flight")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=10, help="SIGKILLs, and as many SIGTERMs")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="of the kills' plan")
    parser.add_argument("--latency-ms", type=int, default=300, help="the sandbox's answer time")
    # Few in flight, so that the day lasts long enough for the kills to land mid-charge.
    parser.add_argument("--concurrency", type=int, default=4, help="charges in flight per process")
    parser.add_argument("--settle-seconds", type=float, default=360, help="the longest wait after the kills")
    parser.add_argument("--processes", default="worker,run-autopay", help="the autopay processes")
    parser.add_argument("--record", action="store_true", help="write the figures to bench/RESULTS.md")
    args = parser.parse_args()
    args.processes = [name.strip() for name in args.processes.split(",")]
    if args.quick:
        args.accounts, args.kills, args.concurrency = 200, 3, 1
    logs = Path(tempfile.mkdtemp(prefix="drill-"))
    load_before = os.getloadavg()[0]
    result = asyncio.run(drill(args, logs))
    print(json.dumps({"seed": args.seed, "accounts": args.accounts, "logs": str(logs), **result}, indent=2))  # noqa: T201
    if args.record:
        record(args, result, (load_before, os.getloadavg()[0]))
    if result["chargedTwice"] or result["stranded"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
