"""Running the worker: as its own process (`gateway worker`) or inside `gateway serve`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq.connections import ArqRedis
from arq.worker import Worker
from redis.exceptions import RedisError

from gateway.settings import Settings
from models.billing.processors import close_processors
from models.db.database import close_database, open_database
from workers.settings import RELAY_JOBS, worker_settings

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 5.0
# How often, and how far apart, stop() cancels arq's main task until it ends.
CANCEL_TRIES = 20
CANCEL_WAIT_SECONDS = 0.25
# The relays run every 2 s: their start and end lines at INFO would be most of the log.
QUIET_JOBS = tuple(f"cron:{job.__name__}" for job in RELAY_JOBS)


class QuietRoutineJobs(logging.Filter):
    """Drop arq's INFO lines (job started, job done) of the routine relays; their failures still log at
    WARNING and above, and their runs are counted in worker_jobs_total."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any(name in message for name in QUIET_JOBS)


def quiet_routine_jobs() -> None:
    """Install QuietRoutineJobs on arq's worker logger once (idempotent)."""
    logger = logging.getLogger("arq.worker")
    if not any(isinstance(existing, QuietRoutineJobs) for existing in logger.filters):
        logger.addFilter(QuietRoutineJobs())


async def ended(task: asyncio.Future[Any]) -> None:
    """Cancel `task` until it has ended. One cancellation is enough since the worker's connections keep
    it (workers/redis_pool.py KeepsCancellation: redis-py's `asyncio.wait_for` lost one before Python
    3.12, and arq's main task went on polling, deaf to SIGTERM); the repeats are a safety net, and say so."""
    for tries in range(CANCEL_TRIES):
        if task.done():
            if tries > 1:
                log.warning("the worker's main task ended only after %s cancellations", tries)
            break
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_WAIT_SECONDS)
    else:
        log.error("the worker's main task did not end after %s cancellations", CANCEL_TRIES)
    if task.done() and not task.cancelled() and task.exception() is not None:
        log.debug("the worker's main task ended with %r", task.exception())


def build_worker(settings: Settings, *, burst: bool = False, database_open: bool = False) -> Worker:
    """A worker on settings.redis_url; `database_open` when the caller has already opened Tortoise.

    Call it inside a running event loop. Signals are left to the host (uvicorn or the CLI), which
    stops the worker by cancelling it.
    """
    quiet_routine_jobs()
    return Worker(**worker_settings(settings, burst=burst, database_open=database_open), handle_signals=False)


async def run_worker(settings: Settings, *, database_open: bool = False) -> None:
    """Run the worker until cancelled; when Redis goes away it reconnects, so nothing waits on a restart."""
    if settings.payments_off_reason:
        log.warning("autopay will charge nothing: %s", settings.payments_off_reason)
    if not database_open:
        await open_database(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    try:
        while True:
            worker = build_worker(settings, database_open=True)
            try:
                # Not `await worker.async_run()`: this returns on cancellation whatever arq's main task
                # does with it, and stop() makes sure that task ends (see `ended`).
                running = asyncio.ensure_future(worker.async_run())
                await asyncio.wait({running})
                running.result()
            except (RedisError, OSError) as error:
                log.warning("worker lost Redis (%s); reconnecting in %s s", error, RECONNECT_SECONDS)
            finally:
                await stop(worker, running)
            await asyncio.sleep(RECONNECT_SECONDS)
    finally:
        if not database_open:  # what this process opened (not the host's, in `gateway serve`)
            await close_processors()
            await close_database()


async def run_burst(settings: Settings, *, database_open: bool = False) -> Worker:
    """Sweep the outbox once, deliver everything queued, and return the finished worker."""
    worker = build_worker(settings, burst=True, database_open=database_open)
    try:
        await worker.async_run()
    finally:
        await stop(worker)
    return worker


async def stop(worker: Worker, running: asyncio.Future[Any] | None = None) -> None:
    """Tell long jobs to wind down (ctx["stopping"]), end arq's main task, let running jobs finish (a short
    grace), cancel the rest, run on_shutdown and close the Redis pool.

    This stands in for arq's `Worker.close()`, which calls a redis-py method deprecated in redis 5 and
    re-raises the cancellation of any job cancelled before it started.
    """
    stopping: asyncio.Event | None = worker.ctx.get("stopping")
    if stopping is not None:
        stopping.set()
    for task in (running, worker.main_task):  # `running`: what runs arq's main task (worker.async_run)
        if task is not None:
            await ended(task)
    jobs = [task for task in worker.tasks.values() if not task.done()]
    if jobs:
        _, late = await asyncio.wait(jobs, timeout=SHUTDOWN_GRACE_SECONDS)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
    worker.tasks.clear()
    pool: ArqRedis | None = worker.pool
    if pool is None:
        return
    try:
        try:
            await pool.delete(worker.health_check_key)
        except (RedisError, OSError) as error:
            log.warning("closing the worker without Redis: %s", error)
        if worker.on_shutdown is not None:
            await worker.on_shutdown(worker.ctx)
    finally:
        # The pool is ours (workers.queue.arq_redis): the client does not close it by itself.
        await pool.aclose(close_connection_pool=True)
