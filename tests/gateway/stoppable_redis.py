"""A redis-server process of the test's own, which the test can stop (SIGSTOP) and resume (SIGCONT):
a Redis that still accepts connections but never answers, as a hung or partitioned server does."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from gateway.embedded_redis import free_port


@dataclass
class StoppableRedis:
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


@contextmanager
def stoppable_redis(data_dir: Path) -> Iterator[StoppableRedis]:
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, cwd=data_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = StoppableRedis(process=process, url=f"redis://127.0.0.1:{port}/0")
    try:
        _wait_until_it_answers(port)
        yield server
    finally:
        server.resume()
        process.terminate()
        process.wait(timeout=10)


def _wait_until_it_answers(port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            with redis.Redis(port=port, socket_timeout=1) as probe:
                probe.ping()
                return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
