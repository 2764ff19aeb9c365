"""What the worker tells operators: the request id its jobs carry, job metrics, and `gateway worker --check`.

The request id (`workers.queue.request_id`, re-exported here) is shared by both sides: the web process
sets it for a request and `Queue` hands it to the jobs the request queues; `observed` sets it again
while such a job runs, so every log line of the job names the request that caused it.

Job metrics go to one registry per process (`JOB_REGISTRY`): the worker runs inside `gateway serve` in
development, and the app's /metrics adds this registry to its own. A standalone `gateway worker` does not
serve HTTP; `gateway worker --check` reports its health instead.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

from arq import Retry
from arq.typing import WorkerCoroutine
from prometheus_client import CollectorRegistry, Counter, Histogram
from redis.asyncio import Redis
from tortoise import connections

from gateway.settings import Settings
from models.db.database import close_database, open_database
from models.notify.outbox import MessageStatus, OutboxMessage
from workers.queue import QUEUE_NAME, request_id

# Set for the whole of a web request, and for the whole of a job queued by one; None elsewhere.
_REQUEST_ID = request_id  # the wrapper's keyword argument shadows the name

HEALTH_CHECK_KEY = f"{QUEUE_NAME}:health-check"

JOB_REGISTRY = CollectorRegistry()
JOBS = Counter(
    "worker_jobs",
    "Worker job runs by function and outcome (success, retry, failed, cancelled).",
    ["function", "outcome"],
    registry=JOB_REGISTRY,
)
JOB_SECONDS = Histogram(
    "worker_job_duration_seconds",
    "How long worker jobs ran, by function.",
    ["function"],
    registry=JOB_REGISTRY,
)


def observed(task: WorkerCoroutine, name: str | None = None) -> WorkerCoroutine:
    """`task`, counted and timed, run with the request id it was queued with (keyword `request_id`).

    The keyword is optional, so jobs queued before it existed (or by the sweeper) still run.
    """
    function = name or getattr(task, "__name__", "job")

    @functools.wraps(task)
    async def run(ctx: dict[str, Any], *args: Any, request_id: str | None = None, **kwargs: Any) -> Any:
        token = _REQUEST_ID.set(request_id)
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = await task(ctx, *args, **kwargs)
            outcome = "success"
            return result
        except Retry:
            outcome = "retry"
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        finally:
            JOBS.labels(function, outcome).inc()
            JOB_SECONDS.labels(function).observe(time.perf_counter() - started)
            _REQUEST_ID.reset(token)

    return run


async def outbox_backlog() -> int:
    """Messages waiting for delivery (one COUNT on the (status, next_attempt_at) index)."""
    return await OutboxMessage.filter(status=MessageStatus.PENDING).count()


async def check(settings: Settings) -> tuple[bool, dict[str, Any]]:
    """Ask Redis and the database; returns whether both answered, and the report to print."""
    report: dict[str, Any] = {"redis": "not configured", "database": "unavailable", "queued": None}
    report["workerHealth"] = None
    redis_ok = False
    if settings.redis_url:
        client = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=settings.redis_connect_timeout_seconds,
            socket_timeout=settings.redis_socket_timeout_seconds,
        )
        try:
            await client.ping()
            report["queued"] = int(await client.zcard(QUEUE_NAME))
            health = await client.get(HEALTH_CHECK_KEY)
            report["workerHealth"] = health.decode() if health is not None else None
            report["redis"] = "ok"
            redis_ok = True
        except Exception as error:  # any failure is "not ok"; its kind is the answer
            report["redis"] = f"unavailable: {type(error).__name__}"
        finally:
            await client.aclose()
    database_ok = False
    try:
        await open_database(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
        try:
            await connections.get("default").execute_query("SELECT 1")
            report["outboxBacklog"] = await outbox_backlog()
            report["database"] = "ok"
            database_ok = True
        finally:
            await close_database()
    except Exception as error:
        report["database"] = f"unavailable: {type(error).__name__}"
    return redis_ok and database_ok, report
