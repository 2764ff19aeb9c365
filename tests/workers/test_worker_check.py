"""`gateway worker --check`, run as an operator (or a container health check) runs it: a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from workers.observability import HEALTH_CHECK_KEY
from workers.queue import Queue

GATEWAY = Path(sys.executable).with_name("gateway")


def run_gateway(data_dir: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite://{data_dir / 'check.sqlite3'}",
        **extra_env,
    }
    return subprocess.run(
        [str(GATEWAY), *args], env=environ, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file for the module: the checks only read it."""
    data_dir = tmp_path_factory.mktemp("check")
    done = run_gateway(data_dir, "migrate")
    assert done.returncode == 0, done.stderr
    return data_dir


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_check_answers_ok_with_redis_and_database(migrated: Path, redis_url: str) -> None:
    # when
    done = run_gateway(migrated, "worker", "--check", REDIS_URL=redis_url)
    # then
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "redis": "ok",
        "database": "ok",
        "queued": 0,
        "workerHealth": None,
        "outboxBacklog": 0,
    }


async def test_check_shows_queued_jobs_and_the_running_workers_health(
    migrated: Path, redis_url: str, queue: Queue
) -> None:
    # given: a queued job, and the health line a running arq worker keeps under its key
    await queue.pool.enqueue_job("send_email", 1, _job_id="outbox:1")
    await queue.pool.set(HEALTH_CHECK_KEY, "Nov-23 13:00:00 j_complete=3 j_failed=0 j_retried=0 queued=1")
    # when
    done = run_gateway(migrated, "worker", "--check", REDIS_URL=redis_url)
    # then
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["queued"] == 1
    assert report["workerHealth"] == "Nov-23 13:00:00 j_complete=3 j_failed=0 j_retried=0 queued=1"


async def test_check_fails_when_redis_does_not_answer(migrated: Path) -> None:
    # when
    done = run_gateway(migrated, "worker", "--check", REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    # then
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["redis"].startswith("unavailable")
    assert report["database"] == "ok"
    assert report["queued"] is None
    assert report["workerHealth"] is None


async def test_check_fails_without_redis_url(migrated: Path) -> None:
    # when
    done = run_gateway(migrated, "worker", "--check")
    # then
    assert done.returncode == 1
    assert json.loads(done.stdout)["redis"] == "not configured"


async def test_check_fails_when_the_database_does_not_answer(tmp_path: Path, redis_url: str) -> None:
    # given: a database URL no server answers
    url = f"postgres://nobody:secret@127.0.0.1:{closed_port()}/gateway"
    # when
    done = run_gateway(tmp_path, "worker", "--check", REDIS_URL=redis_url, DATABASE_URL=url)
    # then
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["redis"] == "ok"
    assert report["database"].startswith("unavailable")
    assert "secret" not in done.stdout + done.stderr
