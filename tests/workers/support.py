"""Real peers for the delivery backends: an SMS provider over HTTP and an SMTP server, both on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.embedded_redis import free_port
from models.notify.outbox import MessageStatus, OutboxMessage


def read_mail(mail_dir: Path) -> list[EmailMessage]:
    """The .eml files the file backend wrote, oldest first."""
    return [parse_email(path.read_bytes()) for path in sorted(mail_dir.glob("*.eml"))]


def parse_email(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)


def body_of(email: EmailMessage) -> str:
    """The plain-text part (the one that carries links and codes as the contract fixes them)."""
    part = email.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def wait_until_sent(message_id: int, *, seconds: float) -> bool:
    """Poll the outbox row (a running worker has no completion to await); True once it is SENT."""
    for _ in range(int(seconds / 0.05)):
        if (await OutboxMessage.get(id=message_id)).status == MessageStatus.SENT:
            return True
        await asyncio.sleep(0.05)
    return False


def read_sms(sms_file: Path) -> list[dict[str, Any]]:
    if not sms_file.exists():
        return []
    return [json.loads(line) for line in sms_file.read_text().splitlines()]


@dataclass
class SmsProvider:
    url: str
    statuses: list[int]
    received: list[dict[str, Any]] = field(default_factory=list)


@asynccontextmanager
async def sms_provider(statuses: list[int] | None = None) -> AsyncIterator[SmsProvider]:
    """An HTTP SMS provider; it answers the given statuses in turn, then 200."""
    port = free_port()
    provider = SmsProvider(url=f"http://127.0.0.1:{port}/messages", statuses=list(statuses or []))

    async def receive(request: Request) -> JSONResponse:
        provider.received.append(await request.json())
        status = provider.statuses.pop(0) if provider.statuses else 200
        return JSONResponse({"accepted": status < 300}, status_code=status)

    app = Starlette(routes=[Route("/messages", receive, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield provider
    finally:
        server.should_exit = True
        await serving


@dataclass
class SmtpServer:
    url: str
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    # Set when the server starts stalling (see `smtp_server`'s `stall`).
    stalled: asyncio.Event = field(default_factory=asyncio.Event)


@asynccontextmanager
async def smtp_server(
    refused: Collection[str] = (), stall: Literal["DATA", "QUIT"] | None = None
) -> AsyncIterator[SmtpServer]:
    """A minimal SMTP server (RFC 5321 without extensions) that keeps what it is sent; it answers 550 (no
    such mailbox, for good) to RCPT of the `refused` addresses. With `stall`, the first session to reach
    the end of DATA (the message is kept) or QUIT gets no answer until the client goes away."""
    state = SmtpServer(url="")

    async def stall_at(verb: str, reader: asyncio.StreamReader) -> bool:
        if verb != stall or state.stalled.is_set():
            return False
        state.stalled.set()
        await reader.read()
        return True

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sender, recipients = "", []
        writer.write(b"220 test ESMTP\r\n")
        while line := await reader.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                writer.write(b"250 test\r\n")
            elif verb == "MAIL":
                sender = command.split(":", 1)[1].strip(" <>")
                writer.write(b"250 ok\r\n")
            elif verb == "RCPT":
                recipient = command.split(":", 1)[1].strip(" <>")
                if recipient in refused:
                    writer.write(b"550 5.1.1 no such mailbox\r\n")
                else:
                    recipients.append(recipient)
                    writer.write(b"250 ok\r\n")
            elif verb == "DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                data = await reader.readuntil(b"\r\n.\r\n")
                state.received.append(parse_email(data[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")))
                state.envelopes.append((sender, recipients))
                if await stall_at("DATA", reader):
                    break
                writer.write(b"250 queued\r\n")
            elif verb == "QUIT":
                if await stall_at("QUIT", reader):
                    break
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    state.url = f"smtp://127.0.0.1:{port}"
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()
