"""Messages to members, written to the outbox (pass `using_db` to commit them with their cause)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models.access import Permission, effective_permissions, holds_grants
from models.accounts.models import Account
from models.db.clock import utcnow
from models.members.models import Channel, Member, MemberStatus, PermissionGrant
from models.notify import messages
from models.notify.outbox import Draft, MessageKind, queue_draft, queue_message
from models.notify.outbox_batch import queue_messages
from models.notify.quiet_hours import sms_not_before


async def email_member(
    member: Member,
    text: messages.Text,
    kind: MessageKind,
    *,
    to: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    await queue_draft(email_draft(member, text, kind, to=to), using_db=using_db)


def email_draft(member: Member, text: messages.Text, kind: MessageKind, *, to: str | None = None) -> Draft:
    return Draft(
        Channel.EMAIL,
        to or member.email,
        text.body,
        kind,
        subject=text.subject,
        account_id=member.account_id,
        member_id=member.id,
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
            kind=MessageKind.CODE,
            account_id=member.account_id,
            member_id=member.id,
            using_db=using_db,
        )
        return mask_phone(phone)
    address = to or member.email
    await email_member(
        member,
        messages.one_time_code(member.display_name, purpose, code, minutes),
        MessageKind.CODE,
        to=address,
        using_db=using_db,
    )
    return mask_email(address)


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    return f"***{phone[-4:]}"


async def notify_account(
    account_id: int,
    topic: str,
    permission: Permission,
    text: messages.Text,
    kind: MessageKind,
    *,
    sms_body: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> int:
    """Tell every active member of the account who holds `permission`, by the channels their preferences
    give for `topic` (billing, serviceChanges, outages, security); SMS only to a confirmed phone.
    Returns how many messages were queued.

    Two statements in the common case (the members, the messages): grants are read only for members whose
    role may hold them, and the account's time zone only when an SMS goes out (its quiet hours)."""
    query = Member.filter(account_id=account_id, status=MemberStatus.ACTIVE, removed_at=None)
    members = await (query.using_db(using_db) if using_db else query)
    granted: dict[int, list[Permission]] = {}
    grantees = [m.id for m in members if holds_grants(m.role_enum)]
    if grantees:
        grants = PermissionGrant.filter(member_id__in=grantees)
        for member_id, grant in await (grants.using_db(using_db) if using_db else grants).values_list(
            "member_id", "permission"
        ):
            granted.setdefault(int(member_id), []).append(Permission(grant))
    recipients = [
        member
        for member in members
        if permission in effective_permissions(member.role_enum, granted.get(member.id, []))
    ]
    time_zone = None
    if any(texts_member(member, topic) for member in recipients):
        accounts = Account.filter(id=account_id)
        accounts = accounts.using_db(using_db) if using_db else accounts
        time_zone = str((await accounts.values_list("time_zone", flat=True))[0])
    drafts: list[Draft] = []
    for member in recipients:
        drafts += member_drafts(member, topic, text, kind, time_zone=time_zone, sms_body=sms_body)
    await queue_messages(drafts, using_db=using_db)
    return len(drafts)


async def notify_member(
    member: Member,
    topic: str,
    text: messages.Text,
    kind: MessageKind,
    *,
    time_zone: str,
    sms_body: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> int:
    """Tell one member about `topic` by the channels their preferences give for it (`member_drafts`).
    Returns how many messages were queued."""
    drafts = member_drafts(member, topic, text, kind, time_zone=time_zone, sms_body=sms_body)
    await queue_messages(drafts, using_db=using_db)
    return len(drafts)


def member_drafts(
    member: Member,
    topic: str,
    text: messages.Text,
    kind: MessageKind,
    *,
    time_zone: str | None,
    sms_body: str | None = None,
) -> list[Draft]:
    """The messages that tell one member about `topic` by the channels their preferences give for it: the
    one place every notifier reads preferences. SMS goes only to a confirmed phone, and outside security
    waits for the account's daytime (quiet hours): `time_zone` is the account's, needed only when the member
    gets an SMS (`texts_member`)."""
    drafts: list[Draft] = []
    if Channel.EMAIL.value in channels_of(member, topic):
        drafts.append(email_draft(member, text, kind))
    if texts_member(member, topic) and member.phone:
        if time_zone is None:
            raise ValueError("an SMS needs the account's time zone for its quiet hours")
        drafts.append(
            Draft(
                Channel.SMS,
                member.phone,
                sms_body or text.subject,
                kind,
                account_id=member.account_id,
                member_id=member.id,
                not_before=sms_not_before(topic, time_zone, utcnow()),
            )
        )
    return drafts


def channels_of(member: Member, topic: str) -> list[str]:
    """The channels the member chose for `topic` (e-mail unless they chose)."""
    return list(member.notification_preferences.get(topic, [Channel.EMAIL.value]))


def texts_member(member: Member, topic: str) -> bool:
    """Whether `topic` goes to the member by SMS: they chose it and their phone is confirmed."""
    return Channel.SMS.value in channels_of(member, topic) and bool(member.phone and member.phone_confirmed)
