"""Autopay throughput: N enrolled accounts, each with a statement due today, charged by one autopay run
with one worker process and with two worker processes at once; duplicates must be 0.

Run from the repository root: `.venv/bin/python -m bench.autopay` (SQLite; add
`--database postgres://USER@HOST/DB` to measure PostgreSQL instead, on a database it may wipe; appends an
"## Autopay" section of bench/RESULTS.md) or `--quick` (a small run that only prints).

Each worker is its own process (`python -m bench.autopay --worker URL DATE LATENCY CONCURRENCY`) that opens
the database, runs `models.billing.autopay.run_autopay` for the date against the sandbox processor answering
`--latency-ms` late (300, as a real processor; SANDBOX_LATENCY_MS) with `--concurrency` charges in flight
(AUTOPAY_CONCURRENCY's default unless given), and prints its
report and its start and end times; the run's wall time is the earliest start to the latest end, so process
start-up is not counted. Duplicates are sandbox charges beyond one per charged statement.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so `python bench/autopay.py` finds the project as `-m` does
    sys.path.insert(0, str(ROOT))

from tortoise import Tortoise, connections  # noqa: E402

from bench.results import write_section  # noqa: E402
from models.access import Role  # noqa: E402
from models.accounts.models import Account  # noqa: E402
from models.billing.autopay import CONCURRENCY, run_autopay  # noqa: E402
from models.billing.models import (  # noqa: E402
    AutopayEnrollment,
    LineItem,
    PaymentMethod,
    PaymentStatus,
    Statement,
)
from models.billing.processor import SANDBOX_TOKENS, SandboxCharge, SandboxProcessor  # noqa: E402
from models.billing.statements import regular_key  # noqa: E402
from models.db.clock import utcnow  # noqa: E402
from models.db.database import close_database, open_database  # noqa: E402
from models.members.models import Member, MemberStatus  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
DUE = datetime.date(2030, 3, 10)
AMOUNT = 7999
CHUNK = 2000


@dataclass(frozen=True)
class Run:
    workers: int
    seconds: float
    charged: int
    sandbox_charges: int
    duplicates: int
    per_worker: list[int]
    worker_cpu_seconds: float  # the workers' own CPU time over their runs, all of them
    machine: MachineCpu  # the whole machine's CPU over the run's wall time (workers, PostgreSQL, the rest)

    @property
    def per_second(self) -> float:
        return self.charged / self.seconds

    @property
    def worker_cpu_ms_per_charge(self) -> float:
        return self.worker_cpu_seconds * 1000 / self.charged

    @property
    def other_cpu_ms_per_charge(self) -> float:
        """The machine's CPU beyond the workers' (PostgreSQL above all) for each charge."""
        return (self.machine.busy_seconds - self.worker_cpu_seconds) * 1000 / self.charged


@dataclass(frozen=True)
class MachineCpu:
    """CPU time of the whole machine from /proc/stat, in seconds of all its CPUs together."""

    busy_seconds: float
    idle_seconds: float
    steal_seconds: float  # time the hypervisor gave our virtual CPUs to others

    @classmethod
    def now(cls) -> MachineCpu:
        # cpu  user nice system idle iowait irq softirq steal ...
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        tick = os.sysconf("SC_CLK_TCK")
        user, nice, system, idle, iowait, irq, softirq, steal = fields
        return cls((user + nice + system + irq + softirq) / tick, (idle + iowait) / tick, steal / tick)

    def __sub__(self, earlier: MachineCpu) -> MachineCpu:
        return MachineCpu(
            self.busy_seconds - earlier.busy_seconds,
            self.idle_seconds - earlier.idle_seconds,
            self.steal_seconds - earlier.steal_seconds,
        )

    @property
    def busy_share(self) -> float:
        return self.busy_seconds / (self.busy_seconds + self.idle_seconds + self.steal_seconds)


# --- seeding ------------------------------------------------------------------------------------------


async def fresh_database(database_url: str, *, tables: bool = True) -> None:
    """An empty database with the models' tables (generated from the models, as the bench needs no
    migration history); with `tables=False`, on PostgreSQL, an empty schema for `gateway migrate`."""
    await open_database(database_url)
    try:
        if database_url.startswith("postgres"):
            await connections.get("default").execute_script(
                "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
            )
        if tables:
            await Tortoise.generate_schemas()
    finally:
        await close_database()


def visa(_: int) -> str:
    return "tok_visa"


def no_ceiling(_: int) -> int | None:
    return None


async def seed(
    database_url: str,
    accounts: int,
    *,
    due: datetime.date = DUE,
    token_of: Callable[[int], str] = visa,
    ceiling_of: Callable[[int], int | None] = no_ceiling,
) -> None:
    """`accounts` households: an active primary with an e-mail address, a card on autopay (account i's
    sandbox token is `token_of(i)`, its autopay ceiling `ceiling_of(i)` cents) and one statement of
    AMOUNT due on `due`."""
    await open_database(database_url)
    try:
        now = utcnow()
        for start in range(1, accounts + 1, CHUNK):
            ids = range(start, min(start + CHUNK, accounts + 1))
            await Account.bulk_create(
                [
                    Account(id=i, number=str(1_000_000_000 + i), name=f"Household {i}", created_at=now)
                    for i in ids
                ]
            )
            await Member.bulk_create(
                [
                    Member(
                        id=i,
                        account_id=i,
                        role=Role.PRIMARY,
                        status=MemberStatus.ACTIVE,
                        username=f"member{i}",
                        username_folded=f"member{i}",
                        display_name=f"Member {i}",
                        email=f"member{i}@example.com",
                        created_at=now,
                    )
                    for i in ids
                ]
            )
            await PaymentMethod.bulk_create(
                [
                    PaymentMethod(
                        id=i,
                        account_id=i,
                        kind=card.kind,
                        brand=card.brand,
                        last4=card.last4,
                        exp_month=card.exp_month,
                        exp_year=card.exp_year,
                        processor_token=token_of(i),
                        is_default=True,
                        created_at=now,
                    )
                    for i in ids
                    for card in [SANDBOX_TOKENS[token_of(i)][0]]
                ]
            )
            await AutopayEnrollment.bulk_create(
                [
                    AutopayEnrollment(
                        id=i, account_id=i, payment_method_id=i, max_amount=ceiling_of(i), created_at=now
                    )
                    for i in ids
                ]
            )
            await Statement.bulk_create(
                [
                    Statement(
                        id=i,
                        account_id=i,
                        issue_key=regular_key(due - datetime.timedelta(days=21)),
                        period_start=due - datetime.timedelta(days=21),
                        period_end=due + datetime.timedelta(days=9),
                        issued_at=now,
                        due_date=due,
                        amount_due=AMOUNT,
                    )
                    for i in ids
                ]
            )
            await LineItem.bulk_create(
                [LineItem(id=i, statement_id=i, description="Internet - Gig", amount=AMOUNT) for i in ids]
            )
        if database_url.startswith("postgres"):
            # Explicit ids leave the sequences at 1; later inserts must not collide with them.
            for table in (
                "account",
                "member",
                "payment_method",
                "autopay_enrollment",
                "statement",
                "line_item",
            ):
                await connections.get("default").execute_script(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    finally:
        await close_database()


async def tally(database_url: str) -> tuple[int, int, int]:
    """(statements charged, sandbox charges, duplicates)."""
    await open_database(database_url)
    try:
        keys = await SandboxCharge.all().values_list("idempotency_key", flat=True)
        charged_statements = {str(key).split(":")[2] for key in keys}
        succeeded = await Statement.filter(status="PAID").count()
        payments = await connections.get("default").execute_query_dict(
            "SELECT count(*) AS n FROM payment WHERE status = $1"
            if database_url.startswith("postgres")
            else "SELECT count(*) AS n FROM payment WHERE status = ?",
            [PaymentStatus.SUCCEEDED.value],
        )
        if succeeded != int(payments[0]["n"]):
            raise SystemExit(f"{succeeded} statements PAID but {payments[0]['n']} payments SUCCEEDED")
        return succeeded, len(keys), len(keys) - len(charged_statements)
    finally:
        await close_database()


# --- workers ------------------------------------------------------------------------------------------


async def work(database_url: str, day: str, latency_ms: str, concurrency: str) -> None:
    """One worker process: run autopay for `day` and print its report with its start and end times."""
    await open_database(database_url)
    processor = SandboxProcessor(latency_seconds=int(latency_ms) / 1000)
    try:
        started, cpu_before, machine_before = time.time(), time.process_time(), MachineCpu.now()
        report = await run_autopay(
            datetime.date.fromisoformat(day), processor=processor, concurrency=int(concurrency)
        )
        ended, cpu, machine_after = time.time(), time.process_time() - cpu_before, MachineCpu.now()
    finally:
        await close_database()
    machine = {"machine_before": asdict(machine_before), "machine_after": asdict(machine_after)}
    print(json.dumps({"started": started, "ended": ended, "cpu": cpu, **machine, **report.as_json()}))  # noqa: T201


def run_workers(database_url: str, workers: int, tuning: tuple[int, int]) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "bench.autopay", "--worker", database_url, DUE.isoformat()]
    command += [str(value) for value in tuning]  # the processor's latency (ms) and the concurrency
    processes = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(workers)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=1800)
        if process.returncode != 0:
            raise SystemExit(f"a worker failed:\n{err}")
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return outputs


def measure(database_url: str, accounts: int, workers: int, tuning: tuple[int, int]) -> Run:
    asyncio.run(fresh_database(database_url))
    asyncio.run(seed(database_url, accounts))
    reports = run_workers(database_url, workers, tuning)
    charged, charges, duplicates = asyncio.run(tally(database_url))
    seconds = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    per_worker = [int(r["charged"]) for r in reports]
    if sum(per_worker) != charged or charged != accounts or duplicates:
        raise SystemExit(f"wrong result: {reports}, charged {charged}, duplicates {duplicates}")
    worker_cpu = sum(float(r["cpu"]) for r in reports)
    first = min(reports, key=lambda r: float(r["started"]))
    last = max(reports, key=lambda r: float(r["ended"]))
    machine_cpu = MachineCpu(**last["machine_after"]) - MachineCpu(**first["machine_before"])
    return Run(workers, seconds, charged, charges, duplicates, per_worker, worker_cpu, machine_cpu)


# --- reporting ----------------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return [
        f"- CPUs (nproc): {os.cpu_count()}",
        f"- CPU model: {cpu}",
        f"- Memory: {memory_kib / 1024 / 1024:.1f} GiB",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python: {platform.python_version()}; SQLite: {sqlite3.sqlite_version}",
    ]


def rows(backend: str, runs: dict[int, list[Run]]) -> list[str]:
    lines = []
    for workers, measured in runs.items():
        rates = [run.per_second for run in measured]
        seconds = statistics.median(run.seconds for run in measured)
        split = " / ".join(str(n) for n in measured[0].per_worker)
        rate = statistics.median(rates)
        worker_cpu = statistics.median(run.worker_cpu_ms_per_charge for run in measured)
        other_cpu = statistics.median(run.other_cpu_ms_per_charge for run in measured)
        busy = statistics.median(run.machine.busy_share for run in measured)
        lines.append(
            f"| {backend} | {workers} | {measured[0].charged} | {seconds:.1f} s | {rate:.0f} /s"
            f" | {min(rates):.0f}-{max(rates):.0f} | {len(measured)} | {split} | "
            f"{max(run.duplicates for run in measured)} | {worker_cpu:.2f} ms | {other_cpu:.2f} ms"
            f" | {busy:.0%} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 accounts, one repetition, print only")
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--database", help="measure this PostgreSQL database instead of SQLite (it is wiped)")
    parser.add_argument("--latency-ms", type=int, default=300, help="the sandbox's answer time")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="charges in flight per worker")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(work(*args.worker))
        return
    accounts = 500 if args.quick else args.accounts
    repetitions = 1 if args.quick else args.repetitions
    load_before = os.getloadavg()[0]
    lines: list[str] = []
    lines_after: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        # One database per process: tortoise caches each model's SQL for the first database it met.
        backends = (
            [("PostgreSQL", args.database)]
            if args.database
            else [("SQLite (WAL)", f"sqlite://{Path(scratch) / 'bench.sqlite3'}")]
        )
        for backend, url in backends:
            runs: dict[int, list[Run]] = {}
            for workers in (1, 2):
                for _ in range(repetitions):
                    if url.startswith("sqlite"):
                        for suffix in ("", "-wal", "-shm"):
                            Path(url[9:] + suffix).unlink(missing_ok=True)
                    run = measure(url, accounts, workers, (args.latency_ms, args.concurrency))
                    print(f"{backend}, {workers} worker(s): {run}", file=sys.stderr)  # noqa: T201
                    runs.setdefault(workers, []).append(run)
            lines += rows(backend, runs)
            lines_after.append(scaling(backend, runs))
    load_after = os.getloadavg()[0]
    table = [
        "| Database | Workers | Statements charged | Wall time (median) | Accounts/s (median) | (runs) "
        "| Repetitions | Charged per worker | Duplicates | Worker CPU a charge | Other CPU a charge "
        "| Machine busy |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
        *lines,
        "",
        *lines_after,
    ]
    print("\n".join(table))  # noqa: T201
    if not args.quick:
        write_results(table, accounts, (args.latency_ms, args.concurrency), (load_before, load_after))


def scaling(backend: str, runs: dict[int, list[Run]]) -> str:
    one, two = (statistics.median(run.per_second for run in runs[n]) for n in (1, 2))
    steal = max(run.machine.steal_seconds for measured in runs.values() for run in measured)
    return (
        f"- {backend}: two workers charge **{two / one:.2f}x** what one does ({two:.0f} and {one:.0f}"
        f" accounts/s); the most CPU time the hypervisor took from a run (steal) was {steal:.1f} s."
    )


def write_results(
    table: list[str], accounts: int, tuning: tuple[int, int], load: tuple[float, float]
) -> None:
    section = [
        f"Recorded {datetime.date.today().isoformat()} by `bench/autopay.py`: {accounts:,} enrolled",
        "accounts, each with one statement due on the run's date, charged through the sandbox processor",
        f"answering {tuning[0]} ms after each charge, {tuning[1]} charges in flight per worker,",
        "by one autopay run (`models.billing.autopay.run_autopay`, which each worker and",
        "`gateway run-autopay` run) in one worker process, then, on a freshly seeded database, in two worker",
        "processes at once.",
        "",
        "```",
        f".venv/bin/python -m bench.autopay --accounts {accounts} --latency-ms {tuning[0]}"
        f" --concurrency {tuning[1]} --database postgres://postgres@127.0.0.1:5432/<scratch db>",
        "```",
        "",
        "### Machine",
        "",
        *machine(),
        f"- 1-minute load average before and after: {load[0]:.2f} and {load[1]:.2f}",
        "",
        "### Results",
        "",
        *table,
        "",
        "Worker CPU a charge is the worker processes' own CPU time (user and system) over their runs,",
        "divided by the statements charged; other CPU is the rest of the machine's busy time over the run's",
        "wall time (PostgreSQL above all) a charge; machine busy is the share of all CPUs' time that was",
        "busy.",
        "",
    ]
    write_section("Autopay", "\n".join(section))


if __name__ == "__main__":
    main()
