"""The e-mail backend: SMTP through aiosmtplib when SMTP_URL is set, else .eml files in DATA_DIR/mail/."""

from __future__ import annotations

import asyncio
import os
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from gateway.settings import Settings
from models.clock import utcnow
from models.outbox import OutboxMessage

SMTP_TIMEOUT_SECONDS = 20
SMTP_SCHEMES = {"smtp": (25, False), "smtps": (465, True)}


def build_email(settings: Settings, message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message; its Message-ID comes from the outbox id, so a resend is recognisably one."""
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    email["Message-ID"] = f"<outbox-{message.id}@{domain}>"
    email.set_content(message.body)
    return email


async def send_mail(settings: Settings, message: OutboxMessage) -> None:
    """Send one outbox e-mail; raises when the message could not be handed over."""
    email = build_email(settings, message)
    if settings.smtp_url:
        await send_smtp(settings.smtp_url, email)
    else:
        await asyncio.to_thread(write_eml, settings.mail_dir, message.id, email)


async def send_smtp(smtp_url: str, email: EmailMessage) -> None:
    """Send through smtp://user:pass@host:port (STARTTLS when offered) or smtps:// (TLS from the start)."""
    url = urlsplit(smtp_url)
    if url.scheme not in SMTP_SCHEMES:
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {url.scheme}://")
    default_port, use_tls = SMTP_SCHEMES[url.scheme]
    await aiosmtplib.send(
        email,
        hostname=url.hostname or "localhost",
        port=url.port or default_port,
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=use_tls,
        timeout=SMTP_TIMEOUT_SECONDS,
    )


def write_eml(mail_dir: Path, message_id: int, email: EmailMessage) -> Path:
    """Write `<utc timestamp>-<message id>.eml`; readers never see a half-written file (tmp, then rename)."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    path = mail_dir / f"{utcnow():%Y%m%dT%H%M%S.%fZ}-{message_id}.eml"
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(email.as_bytes())
    os.replace(partial, path)
    return path
