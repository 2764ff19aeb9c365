"""A member's own profile: its display name, contact changes confirmed by a code sent to the new address
or number (checked through the guard), and notification preferences. A change, its messages and its
activity event commit together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.members.errors import email_taken
from models.members.models import (
    NOTIFICATION_TOPICS,
    Channel,
    Member,
    default_notification_preferences,
    email_in_use,
)
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member, send_code
from models.security.attempts import (
    TOO_MANY_CODES,
    WRONG_CODE,
    Refused,
    SessionHolder,
    check,
    refuse_unless_accepted,
    throttled,
)
from models.security.codes import TooManyCodes, issue_code, redeem_code
from models.security.errors import Refusal
from models.security.guard import Guard, Secret
from models.security.models import OneTimeToken, TokenPurpose


class Contact(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


_NOUN = {Contact.EMAIL: "e-mail address", Contact.PHONE: "phone number"}


@dataclass(frozen=True)
class CodePolicy:
    secret_key: str
    seconds: int
    max_attempts: int


async def update_profile(
    member: Member,
    display_name: str | None,
    contact: tuple[Contact, str] | None,
    codes: CodePolicy,
    *,
    ip_address: str | None,
) -> None:
    """The new display name and the contact change asked for (either may be None), in one commit;
    refused to wait when the member has been sent several codes already."""
    try:
        async with in_transaction() as connection:
            if display_name is not None:
                await rename(member, display_name, ip_address=ip_address, using_db=connection)
            if contact is not None:
                kind, value = contact
                await request_contact_change(
                    member, kind, value, codes, ip_address=ip_address, using_db=connection
                )
    except TooManyCodes as refused_codes:
        raise throttled(refused_codes.retry_after, TOO_MANY_CODES) from None


async def request_contact_change(
    member: Member,
    contact: Contact,
    value: str,
    codes: CodePolicy,
    *,
    ip_address: str | None,
    using_db: BaseDBAsyncClient,
) -> None:
    """Stage `value` as the pending e-mail or phone and send a code to it; the old e-mail is told.

    Contact-change codes share one purpose, so a new request retires the earlier code: the other
    pending value is cleared with it, as it could no longer be confirmed. Raises MembershipRefused
    (EMAIL_TAKEN) for an address someone else on the account uses.
    """
    if contact is Contact.EMAIL and await email_in_use(
        member.account_id, value, other_than=member.id, using_db=using_db
    ):
        raise email_taken()
    member.pending_email = value if contact is Contact.EMAIL else None
    member.pending_phone = value if contact is Contact.PHONE else None
    await (
        Member.filter(id=member.id)
        .using_db(using_db)
        .update(pending_email=member.pending_email, pending_phone=member.pending_phone)
    )
    code, _ = await issue_code(
        member.id,
        TokenPurpose.CONTACT_CHANGE,
        codes.secret_key,
        codes.seconds,
        payload={contact.value: value},
        using_db=using_db,
    )
    channel = Channel.EMAIL if contact is Contact.EMAIL else Channel.SMS
    noun = _NOUN[contact]
    sent_to = await send_code(
        member, channel, f"confirm your new {noun}", code, codes.seconds // 60, to=value, using_db=using_db
    )
    await email_member(
        member,
        messages.notice(
            member.display_name,
            f"A change of your {noun} was requested",
            f"Someone signed in as you asked to change your {noun} to {sent_to}. "
            "It changes only once the code we sent there is entered.",
        ),
        MessageKind.CONTACT_CHANGE_REQUESTED,
        using_db=using_db,
    )
    await activity.record_by(
        member,
        ActivityKind.CONTACT_CHANGE_REQUESTED,
        f"{member.display_name} asked to change their {noun} to {sent_to}",
        ip_address=ip_address,
        using_db=using_db,
    )


async def confirm_contact_change(
    holder: SessionHolder, code: str, codes: CodePolicy, guard: Guard
) -> Contact:
    """Apply the pending change `code` confirms, the code checked through the guard on the holder's
    counter; refused INVALID_CODE (or ACCOUNT_LOCKED) otherwise."""
    member = holder.member
    redeemed: OneTimeToken | None = None

    async def verify() -> bool:
        nonlocal redeemed
        redeemed = await redeem_contact_code(member, code, codes)
        return redeemed is not None

    verdict = await check(guard, holder.claimant, Secret.CONTACT_CODE, verify)
    wrong = Refused(Refusal.INVALID_CODE, WRONG_CODE, "code")
    refuse_unless_accepted(verdict, wrong)
    if redeemed is None:
        raise wrong
    return await apply_contact_change(member, redeemed, ip_address=holder.ip_address)


async def redeem_contact_code(member: Member, code: str, codes: CodePolicy) -> OneTimeToken | None:
    """The pending change's code row, now used; None when the code is wrong, expired or used."""
    return await redeem_code(
        member.id, TokenPurpose.CONTACT_CHANGE, code[:20], codes.secret_key, codes.max_attempts
    )


async def apply_contact_change(member: Member, row: OneTimeToken, *, ip_address: str | None) -> Contact:
    """Apply the pending change the redeemed code confirmed; the old e-mail is told."""
    contact = Contact.EMAIL if Contact.EMAIL.value in row.payload else Contact.PHONE
    value = str(row.payload[contact.value])
    old_email = member.email
    async with in_transaction() as connection:
        if contact is Contact.EMAIL:
            member.email, member.pending_email = value, None
            await Member.filter(id=member.id).using_db(connection).update(email=value, pending_email=None)
        else:
            member.phone, member.phone_confirmed, member.pending_phone = value, True, None
            await (
                Member.filter(id=member.id)
                .using_db(connection)
                .update(phone=value, phone_confirmed=True, pending_phone=None)
            )
        noun = _NOUN[contact]
        await email_member(
            member,
            messages.notice(
                member.display_name,
                f"Your {noun} was changed",
                f"The {noun} of your membership was just changed.",
            ),
            MessageKind.CONTACT_CHANGED,
            to=old_email,
            using_db=connection,
        )
        await activity.record_by(
            member,
            ActivityKind.CONTACT_CHANGED,
            f"{member.display_name} confirmed a new {noun}",
            ip_address=ip_address,
            using_db=connection,
        )
    return contact


def merged_preferences(
    current: Mapping[str, list[str]], changes: Mapping[str, Iterable[Channel]]
) -> dict[str, list[str]]:
    """The stored preferences with `changes` applied; each list de-duplicated, in the order given."""
    merged = default_notification_preferences()
    merged.update({topic: list(current[topic]) for topic in NOTIFICATION_TOPICS if topic in current})
    for topic, channels in changes.items():
        merged[topic] = list(dict.fromkeys(Channel(channel).value for channel in channels))
    return merged


async def save_preferences(
    member: Member, preferences: dict[str, list[str]], *, ip_address: str | None
) -> None:
    member.notification_preferences = preferences
    async with in_transaction() as connection:
        await Member.filter(id=member.id).using_db(connection).update(notification_preferences=preferences)
        await activity.record_by(
            member,
            ActivityKind.NOTIFICATION_PREFERENCES_UPDATED,
            f"{member.display_name} changed their notification preferences",
            ip_address=ip_address,
            using_db=connection,
        )


async def rename(
    member: Member, display_name: str, *, ip_address: str | None, using_db: BaseDBAsyncClient | None = None
) -> None:
    """Change the member's display name (a no-op when it is the same), and log it."""
    if display_name == member.display_name:
        return
    old_name, member.display_name = member.display_name, display_name
    query = Member.filter(id=member.id)
    await (query.using_db(using_db) if using_db else query).update(display_name=display_name)
    await activity.record_by(
        member,
        ActivityKind.PROFILE_UPDATED,
        f"{old_name} changed their display name to {display_name}",
        ip_address=ip_address,
        using_db=using_db,
    )
