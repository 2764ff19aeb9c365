"""Messages to members, written to the outbox (pass `using_db` to commit them with their cause)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models import messages
from models.members import Channel, Member
from models.outbox import queue_message


async def email_member(
    member: Member,
    text: messages.Text,
    kind: str,
    *,
    to: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    await queue_message(
        Channel.EMAIL,
        to or member.email,
        text.body,
        subject=text.subject,
        kind=kind,
        account_id=member.account_id,  # type: ignore[attr-defined]
        member_id=member.id,
        using_db=using_db,
    )


async def send_code(
    member: Member,
    channel: Channel,
    purpose: str,
    code: str,
    minutes: int,
    *,
    to: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> str:
    """Send a one-time code by e-mail or SMS; returns the masked destination."""
    if channel is Channel.SMS:
        phone = to or member.phone
        if not phone:
            raise ValueError("member has no phone")
        await queue_message(
            Channel.SMS,
            phone,
            messages.sms_code(purpose, code),
            kind="CODE",
            account_id=member.account_id,  # type: ignore[attr-defined]
            member_id=member.id,
            using_db=using_db,
        )
        return mask_phone(phone)
    address = to or member.email
    await email_member(
        member,
        messages.one_time_code(member.display_name, purpose, code, minutes),
        "CODE",
        to=address,
        using_db=using_db,
    )
    return mask_email(address)


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    return f"***{phone[-4:]}"
