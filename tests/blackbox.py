"""A started gateway for black-box tests: `gateway serve` as `make run` starts it (its own DATA_DIR and
SQLite file, the embedded Redis, the worker in-process), driven over plain HTTP, with its e-mails read
from the .eml files its worker writes."""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from gateway.embedded_redis import free_port

GATEWAY = Path(sys.executable).with_name("gateway")
STARTUP_SECONDS = 30


@dataclass
class Server:
    url: str
    data_dir: Path
    environ: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run an operator command against this server's database."""
        return subprocess.run(
            [str(GATEWAY), *args], env=self.environ, capture_output=True, text=True, timeout=60, check=False
        )

    async def graphql(
        self, client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str = ""
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await client.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def mail_to(self, recipient: str, subject_part: str, count: int = 1) -> list[EmailMessage]:
        """The e-mails the worker wrote to `recipient` whose subject holds `subject_part`, once `count`
        of them are there (the worker delivers within seconds)."""
        deadline = time.monotonic() + 10
        while True:
            found = []
            for path in sorted((self.data_dir / "mail").glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes(), policy=default)
                assert isinstance(message, EmailMessage)
                if recipient in str(message["To"]) and subject_part in str(message["Subject"]):
                    found.append(message)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.1)

    async def texts_to(self, phone: str, count: int = 1) -> list[str]:
        """The bodies of the SMS the worker wrote to `phone` (DATA_DIR/sms.jsonl, development's SMS
        backend), once `count` of them are there."""
        deadline = time.monotonic() + 10
        while True:
            log = self.data_dir / "sms.jsonl"
            lines = log.read_text().splitlines() if log.exists() else []
            found = [record["body"] for record in map(json.loads, lines) if record["to"] == phone]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.1)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@contextlib.asynccontextmanager
async def started_gateway(data_dir: Path, host: str = "127.0.0.1", **extra_env: str) -> AsyncIterator[Server]:
    """`gateway serve` on a free port, until the block ends; its log is DATA_DIR/serve.log. `host` is the
    name of its PUBLIC_URL and the URL the tests use ("localhost" for passkeys: WebAuthn refuses an IP
    address as the relying party id); it listens on 127.0.0.1 whatever the name."""
    port = free_port()
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite://{data_dir / 'gateway.sqlite3'}",
        "PUBLIC_URL": f"http://{host}:{port}",
        **extra_env,
    }
    log = _open_log(data_dir)
    process = await asyncio.create_subprocess_exec(
        str(GATEWAY), "serve", "--host", "127.0.0.1", "--port", str(port),
        env=environ, stdout=log, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    server = Server(url=f"http://{host}:{port}", data_dir=data_dir, environ=environ)
    try:
        await _until_ready(server, process)
        yield server
    finally:
        await stop(process)
        log.close()


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, and SIGKILL after 10 s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


def _open_log(data_dir: Path) -> BinaryIO:
    data_dir.mkdir(parents=True, exist_ok=True)
    return (data_dir / "serve.log").open("wb")


async def _until_ready(server: Server, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{server.url}/readyz", timeout=1)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    log = (server.data_dir / "serve.log").read_text(errors="replace")
    raise AssertionError(f"gateway serve did not become ready:\n{log[-3000:]}")
