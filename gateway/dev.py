"""`gateway serve`: uvicorn with the app and, unless told otherwise, the arq worker in the same event loop.

In development it first creates DATA_DIR, migrates, and starts an embedded Redis when REDIS_URL is unset,
so one command runs the whole system. In production it does none of that (the release step migrates).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import uvicorn

from gateway.app import Resources, create_app
from gateway.embedded_redis import EmbeddedRedis, start_embedded_redis
from gateway.redis_client import configured_redis
from gateway.settings import Settings
from models.billing.processors import close_processors
from models.db.database import close_database, migrate, open_database
from models.security.passwords import Passwords
from workers.queue import Queue
from workers.runner import run_worker

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Server(uvicorn.Server):
    """uvicorn's server, except that a stop signal is not raised again after shutdown, so clean-up runs."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when it is installed, as uvicorn's own command picks it for the Procfile's web process; its
    loop takes a good share less CPU a request than asyncio's own."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on the event loop uvicorn would choose (`gateway serve` and `gateway worker`)."""
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(main)


async def serve(settings: Settings, host: str, port: int, *, with_worker: bool = True) -> None:
    embedded: EmbeddedRedis | None = None
    if not settings.is_production:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        await migrate(settings.database_url)
        if settings.redis_url is None:
            embedded = await asyncio.to_thread(start_embedded_redis, settings.data_dir / "redis")
            settings = settings.with_overrides(redis_url=embedded.url)
    try:
        _banner(settings, host, port, with_worker, embedded)
        await _run(settings, host, port, with_worker)
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


async def _run(settings: Settings, host: str, port: int, with_worker: bool) -> None:
    # This process opens the database and the queue once, for the app and the worker alike;
    # handing the app its resources keeps its lifespan from opening them a second time.
    await open_database(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    queue = Queue.configured(settings)
    redis = configured_redis(settings)
    passwords = Passwords(settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism)
    app = create_app(settings, Resources(passwords=passwords, queue=queue, redis=redis))
    # log_config=None: uvicorn's lines go through the JSON logging `gateway serve` configured.
    server = _Server(
        uvicorn.Config(app, host=host, port=port, log_level="info", log_config=None, proxy_headers=False)
    )
    worker: asyncio.Task[None] | None = None
    if with_worker:
        worker = asyncio.create_task(run_worker(settings, database_open=True), name="worker")
        worker.add_done_callback(lambda task: _worker_stopped(task, server))
    try:
        await server.serve()
    finally:
        if worker is not None and not worker.done():
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        if queue is not None:
            await queue.close()
        if redis is not None:
            await redis.aclose()
        await close_processors()
        await close_database()


async def work(settings: Settings) -> None:
    """`gateway worker`: run the worker until SIGINT or SIGTERM, then let running jobs finish."""
    task = asyncio.create_task(run_worker(settings), name="worker")
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _worker_stopped(task: asyncio.Task[None], server: uvicorn.Server) -> None:
    """A worker that dies takes the server down with it, rather than leaving messages unsent unnoticed."""
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("the in-process worker stopped", exc_info=error)
    server.should_exit = True


def _banner(
    settings: Settings, host: str, port: int, with_worker: bool, embedded: EmbeddedRedis | None
) -> None:
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0', '::') else host}:{port}"
    redis = f"embedded at {embedded.url}" if embedded else "REDIS_URL"
    worker = "running in this process" if with_worker else "not running here (start `gateway worker`)"
    lines = [
        f"account-gateway ({settings.environment}) at {url}",
        f"  GraphQL endpoint:  {url}/graphql"
        + ("  (open it in a browser for GraphiQL)" if not settings.is_production else ""),
        f"  health check:      {url}/healthz",
        f"  Redis:             {redis}; worker {worker}",
        f"  mail and SMS:      {'SMTP_URL' if settings.smtp_url else settings.mail_dir}, "
        f"{'SMS_URL' if settings.sms_url else settings.sms_file}",
    ]
    if not settings.is_production:
        lines.append("  demo login:        `gateway seed-demo` prints it (username demo)")
    sys.stderr.write("\n".join(lines) + "\n")
