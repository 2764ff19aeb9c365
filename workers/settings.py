"""The arq worker's settings, built from the one Settings object (nothing is read at import)."""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import Any

from arq import cron, func
from arq.cron import CronJob

from gateway.settings import Settings
from models.db.database import close_database, open_database
from workers.appointments import REMINDERS_MINUTE, appointment_reminders_job
from workers.billing import (
    DAILY_JOB_TIMEOUT_SECONDS,
    RECONCILE_SECOND,
    STATEMENTS_AT,
    issue_statements_job,
    reconcile_payments_job,
    stop_taking_part,
    take_part_in_autopay,
)
from workers.cleanup import (
    CHALLENGE_SWEEP_MINUTES,
    CLEANUP_MINUTE,
    sweep_persisted_queries,
    sweep_webauthn_challenges,
)
from workers.delivery import DELIVERY_TIMEOUT_SECONDS, MAX_TRIES, send_email, send_sms, sweep_outbox
from workers.observability import observed
from workers.queue import QUEUE_NAME, Queue, deserialize, redis_settings, serialize
from workers.recovery import carry_out_password_resets

# The outbox relay: with the web process's wake-up this keeps delivery within seconds of a commit,
# also for messages the CLI commits (it has no queue to wake).
SWEEP_SECONDS = set(range(0, 60, 2))
# The jobs that run every SWEEP_SECONDS: the outbox relay and the password-reset requests' relay.
RELAY_JOBS = (sweep_outbox, carry_out_password_resets)


def billing_crons() -> list[CronJob]:
    """The daily statement run and the minutely reconciliation (both idempotent); autopay is every worker's
    own (workers/billing.py `take_part_in_autopay`)."""
    return [
        cron(
            issue_statements_job,
            hour={STATEMENTS_AT[0]},
            minute={STATEMENTS_AT[1]},
            second={0},
            timeout=DAILY_JOB_TIMEOUT_SECONDS,
        ),
        cron(reconcile_payments_job, second={RECONCILE_SECOND}),
    ]


def worker_settings(
    settings: Settings, *, burst: bool = False, database_open: bool = False
) -> dict[str, Any]:
    """Keyword arguments for `arq.worker.Worker`.

    Results are never kept: delivery jobs are deduplicated by job id alone, and a kept result would
    make a later re-queue of the same message a silent no-op. A burst worker (tests, one-off runs) sweeps
    once at start instead of running the cron, which would otherwise keep it from ever finishing.
    """
    if not settings.redis_url:
        raise ValueError("the worker needs REDIS_URL (or the embedded Redis that `gateway serve` starts)")

    async def on_startup(ctx: dict[str, Any]) -> None:
        if not ctx.get("database_open"):
            await open_database(settings.database_url)
            ctx["database_opened_here"] = True
        ctx["settings"] = settings
        ctx["queue"] = Queue(ctx["redis"])
        ctx["retry_deliveries"] = not burst
        if burst:
            await carry_out_password_resets(ctx)
            await sweep_outbox(ctx)
        else:
            ctx["autopay"] = asyncio.create_task(take_part_in_autopay(ctx))

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if (autopay := ctx.pop("autopay", None)) is not None:
            await stop_taking_part(autopay)  # `stopping` is set: workers/runner.stop
        if ctx.pop("database_opened_here", False):
            await close_database()

    return {
        "functions": [
            func(observed(task), keep_result=0, max_tries=MAX_TRIES, timeout=DELIVERY_TIMEOUT_SECONDS)
            for task in (send_email, send_sms)
        ],
        "cron_jobs": None
        if burst
        else [
            _observed_cron(job)
            for job in (
                *(cron(job, second=SWEEP_SECONDS, run_at_startup=True) for job in RELAY_JOBS),
                *billing_crons(),
                cron(appointment_reminders_job, minute={REMINDERS_MINUTE}, second={0}),
                cron(sweep_persisted_queries, minute={CLEANUP_MINUTE}, second={0}),
                cron(sweep_webauthn_challenges, minute=CHALLENGE_SWEEP_MINUTES, second={30}),
            )
        ],
        "burst": burst,
        "queue_name": QUEUE_NAME,
        "redis_settings": redis_settings(settings.redis_url),
        "job_serializer": serialize,
        "job_deserializer": deserialize,
        "poll_delay": settings.worker_poll_delay,
        "max_jobs": settings.worker_max_jobs,
        "keep_result": 0,
        "max_tries": MAX_TRIES,
        "timezone": UTC,
        # `stopping` is set when the worker shuts down (workers/runner.stop): long jobs wind down early.
        "ctx": {"database_open": database_open, "stopping": asyncio.Event()},
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
    }


def _observed_cron(job: CronJob) -> CronJob:
    """Count and time cron runs like jobs (`worker_jobs_total`, `worker_job_duration_seconds`)."""
    job.coroutine = observed(job.coroutine)
    return job
