"""The e-mail backend: SMTP through aiosmtplib when SMTP_URL is set, else .eml files in DATA_DIR/mail/."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from gateway.settings import Settings
from models.db.clock import utcnow
from models.members.contact import normal_email, one_line
from models.notify.outbox import OutboxMessage, Undeliverable
from workers.mail_html import html_body

SMTP_TIMEOUT_SECONDS = 20
SMTP_SCHEMES = {"smtp": (25, False), "smtps": (465, True)}


def build_email(settings: Settings, message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message, its plain text and its HTML (workers/mail_html.py) as alternatives; its
    Message-ID comes from the outbox id, so a resend is recognisably one.
    Raises Undeliverable when the row cannot make one: it would not be different on a later try.
    The subject is put on one line whatever the row holds, so no stored name can add a header."""
    recipient = normal_email(message.recipient)
    if recipient is None:
        raise Undeliverable("the recipient is not an e-mail address")
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["Date"] = format_datetime(utcnow())
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    email["Message-ID"] = f"<outbox-{message.id}@{domain}>"
    try:
        email["To"] = recipient
        email["Subject"] = one_line(message.subject)
        # multipart/alternative, plain text first: clients show the last part they can, the HTML one.
        email.set_content(message.body)
        email.add_alternative(
            html_body(one_line(message.subject), message.body, settings.public_url), subtype="html"
        )
    except (ValueError, TypeError, LookupError) as error:  # the email package's refusals
        raise Undeliverable(f"the message cannot be built: {type(error).__name__}: {error}") from error
    return email


async def send_mail(
    settings: Settings, message: OutboxMessage, accepted: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Send one outbox e-mail; raises when the message could not be handed over. `accepted` is awaited as
    soon as it has been (over SMTP, before the session's QUIT)."""
    email = build_email(settings, message)
    if settings.smtp_url:
        await send_smtp(settings.smtp_url, email, accepted)
    else:
        await asyncio.to_thread(write_eml, settings.mail_dir, message.id, email)
        if accepted is not None:
            await accepted()


async def send_smtp(
    smtp_url: str, email: EmailMessage, accepted: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Send through smtp://user:pass@host:port (STARTTLS when offered) or smtps:// (TLS from the start).
    A recipient the server refuses for good (a 5xx reply) is Undeliverable; anything else may pass.
    `accepted` is awaited on the server's reply to DATA, before QUIT: a server slow to say goodbye, or a
    crash meanwhile, must not make a message it has taken look unsent."""
    url = urlsplit(smtp_url)
    if url.scheme not in SMTP_SCHEMES:
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {url.scheme}://")
    default_port, use_tls = SMTP_SCHEMES[url.scheme]
    client = aiosmtplib.SMTP(
        hostname=url.hostname or "localhost",
        port=url.port or default_port,
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=use_tls,
        timeout=SMTP_TIMEOUT_SECONDS,
    )
    try:
        await client.connect()
        try:
            await client.send_message(email)
            if accepted is not None:
                await accepted()
            # The message is taken: a QUIT the server fails to answer changes nothing.
            with contextlib.suppress(aiosmtplib.SMTPException):
                await client.quit()
        finally:
            # Closed without QUIT after a failure or a cancellation: a stalled server would hold it.
            client.close()
    except aiosmtplib.SMTPRecipientsRefused as refused:
        if refused.recipients and all(500 <= error.code < 600 for error in refused.recipients):
            reasons = "; ".join(f"{error.code} {error.message}" for error in refused.recipients)
            raise Undeliverable(f"the mail server refused the recipient: {reasons}") from refused
        raise


def write_eml(mail_dir: Path, message_id: int, email: EmailMessage) -> Path:
    """Write `<utc timestamp>-<message id>.eml`; readers never see a half-written file (tmp, then rename)."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    path = mail_dir / f"{utcnow():%Y%m%dT%H%M%S.%fZ}-{message_id}.eml"
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(email.as_bytes())
    os.replace(partial, path)
    return path
