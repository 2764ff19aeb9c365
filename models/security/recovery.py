"""Password recovery: a link (e-mail) or a code (SMS), plus the security answer, sets a new password.

A reset row is a OneTimeToken of purpose PASSWORD_RESET; its `attempts` counts wrong codes and wrong
security answers together, and at MAX_ATTEMPTS the row is dead. Attempts are reserved with one
conditional UPDATE before checking, so parallel guesses never get more than MAX_ATTEMPTS tries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.contact import normal_email
from models.members.models import Channel, Member, MemberStatus, member_for_username
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member, send_code
from models.security.codes import find_link_token, issue_code, issue_link_token, retire_links, use_token
from models.security.lockout import end_lock
from models.security.models import OneTimeToken, TokenPurpose
from models.security.sessions import revoke_sessions
from models.security.tokens import hash_code, same_hash

RESET_LINK_SECONDS = 3600
CLAIM_SECONDS = 60
REQUEST_LIMIT = 3
REQUEST_WINDOW = timedelta(minutes=15)
MAX_ATTEMPTS = 5
MAX_LOGIN = 254
CODE_PURPOSE = "reset your password"


@dataclass(frozen=True)
class ResetDelivery:
    """Where reset links and codes come from: the settings the domain needs."""

    public_url: str
    secret_key: str
    code_seconds: int


def can_reset(member: Member) -> bool:
    """Active members, and disabled ones not removed (secured via "this wasn't me") may reset."""
    if member.removed_at is not None:
        return False
    return member.status_enum in (MemberStatus.ACTIVE, MemberStatus.DISABLED)


async def members_with_email(login: str) -> list[Member]:
    """Members who may reset and whose e-mail is `login`; none when it is not an e-mail address."""
    email = normal_email(login) if len(login) <= MAX_LOGIN else None
    members = await Member.filter(email=email or "", removed_at=None).order_by("id")
    return [member for member in members if email is not None and can_reset(member)]


async def members_for_login(login: str) -> list[Member]:
    """The members a reset for `login` goes to: the username's member, else those with that e-mail."""
    login = login if len(login) <= MAX_LOGIN else ""
    by_username = await member_for_username(login)
    by_email = await members_with_email(login)
    if by_username is not None and can_reset(by_username):
        return [by_username]
    return by_email


class ResetRequest(Model):
    """A requestPasswordReset, answered at once and carried out by the worker (`carry_out_requests`),
    so the answer takes the same time whether or not the login exists."""

    id = fields.BigIntField(primary_key=True)
    login = fields.CharField(max_length=MAX_LOGIN)
    channel = fields.CharEnumField(Channel, max_length=8)
    ip_address = fields.CharField(max_length=45, null=True)
    created_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "password_reset_request"


async def record_request(login: str, channel: Channel, ip_address: str | None) -> None:
    """One INSERT, whatever the login: the work that tells whether it exists happens later."""
    kept = login if len(login) <= MAX_LOGIN else ""
    await ResetRequest.create(login=kept, channel=channel, ip_address=ip_address, created_at=utcnow())


async def carry_out_requests(delivery: ResetDelivery, limit: int = 200) -> int:
    """Send the links and codes of waiting requests; returns how many requests were done.

    Each is claimed for CLAIM_SECONDS (a killed worker's claim lapses, so another takes it over) and
    deleted in the transaction that queues its messages, so it is done once."""
    now = utcnow()
    waiting = (
        await ResetRequest.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    done = 0
    for request_id in waiting:
        claimed = await ResetRequest.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), id=request_id
        ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        request = await ResetRequest.get_or_none(id=request_id) if claimed == 1 else None
        if request is None:
            continue
        members = await members_for_login(request.login)
        async with in_transaction() as connection:
            if await ResetRequest.filter(id=request.id).using_db(connection).delete() != 1:
                continue
            for member in members:
                await request_reset(
                    member, request.channel, delivery, request.ip_address, using_db=connection
                )
        done += 1
    return done


async def request_reset(
    member: Member,
    channel: Channel,
    delivery: ResetDelivery,
    ip_address: str | None,
    using_db: BaseDBAsyncClient | None = None,
) -> bool:
    """Send a reset link or code unless REQUEST_LIMIT were asked for in REQUEST_WINDOW; True when sent."""
    if using_db is None:
        async with in_transaction() as transaction:
            return await request_reset(member, channel, delivery, ip_address, using_db=transaction)
    connection = using_db
    # The member row lock orders concurrent requests, so the limit holds exactly.
    await Member.select_for_update().using_db(connection).get(id=member.id)
    recent = (
        await OneTimeToken.filter(
            member_id=member.id,
            purpose=TokenPurpose.PASSWORD_RESET,
            created_at__gt=utcnow() - REQUEST_WINDOW,
        )
        .using_db(connection)
        .count()
    )
    if recent >= REQUEST_LIMIT:
        return False
    if channel is Channel.SMS:
        if not (member.phone and member.phone_confirmed):
            return False
        code, _ = await issue_code(
            member.id,
            TokenPurpose.PASSWORD_RESET,
            delivery.secret_key,
            delivery.code_seconds,
            payload={"channel": Channel.SMS.value},
            using_db=connection,
        )
        sent_to = await send_code(
            member, Channel.SMS, CODE_PURPOSE, code, delivery.code_seconds // 60, using_db=connection
        )
    else:
        token = await issue_link_token(
            member.id,
            TokenPurpose.PASSWORD_RESET,
            RESET_LINK_SECONDS,
            payload={"channel": Channel.EMAIL.value},
            using_db=connection,
        )
        await email_member(
            member,
            messages.password_reset(delivery.public_url, member.display_name, token),
            MessageKind.PASSWORD_RESET_LINK,
            using_db=connection,
        )
        sent_to = "their e-mail"
    await activity.record_by(
        member,
        ActivityKind.PASSWORD_RESET_REQUESTED,
        f"A password reset for {member.username} was requested and sent to {sent_to}",
        ip_address=ip_address,
        using_db=connection,
    )
    return True


async def live_reset_link(token: str) -> tuple[Member, OneTimeToken] | None:
    """The member and row of an e-mailed reset link that can still reset: unused, unexpired, with tries
    left, for a member who may reset; else None."""
    row = await find_link_token(token, TokenPurpose.PASSWORD_RESET)
    if row is None or row.attempts >= MAX_ATTEMPTS:
        return None
    member = await Member.get_or_none(id=row.member_id)
    if member is None or not can_reset(member):
        return None
    return member, row


async def reserve_attempt(row: OneTimeToken) -> bool:
    """Count one try on the row; False when it is used up or out of tries."""
    reserved = await OneTimeToken.filter(id=row.id, used_at=None, attempts__lt=MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    )
    return reserved == 1


async def refund_attempt(row: OneTimeToken) -> None:
    """A try that turned out right does not count against the row."""
    await OneTimeToken.filter(id=row.id, attempts__gt=0).update(attempts=F("attempts") - 1)


async def live_reset_codes(members: list[Member]) -> list[tuple[Member, OneTimeToken]]:
    """Each member's live SMS reset row (the latest; an earlier one was retired when it was sent)."""
    found = []
    for member in members:
        row = (
            await OneTimeToken.filter(
                member_id=member.id,
                purpose=TokenPurpose.PASSWORD_RESET,
                used_at=None,
                expires_at__gt=utcnow(),
            )
            .order_by("-id")
            .first()
        )
        if row is not None and row.payload.get("channel") == Channel.SMS.value:
            found.append((member, row))
    return found


async def reset_code_matches(row: OneTimeToken, code: str, secret_key: str) -> bool:
    """Whether `code` is the row's; a wrong try counts against the row (a right one gives it back)."""
    candidate = code.strip()
    if not await reserve_attempt(row):
        return False
    if (
        len(candidate) == 6
        and candidate.isascii()
        and candidate.isdigit()
        and same_hash(hash_code(secret_key, candidate), row.token_hash)
    ):
        await refund_attempt(row)
        return True
    return False


async def complete_reset(
    member: Member, row: OneTimeToken, password_hash: str, ip_address: str | None
) -> bool:
    """Use the row and set the password, ending every session; False when another request used it first."""
    async with in_transaction() as connection:
        if not await use_token(row, using_db=connection):
            return False
        member.password_hash = password_hash
        member.password_changed_at = utcnow()
        update_fields = ["password_hash", "password_changed_at"]
        if member.status_enum is MemberStatus.DISABLED and member.removed_at is None:
            member.status = MemberStatus.ACTIVE
            update_fields.append("status")
        await member.save(using_db=connection, update_fields=update_fields)
        await revoke_sessions(member.id, using_db=connection)
        await end_lock(member, using_db=connection)
        # The new password ends what "this wasn't me" was for: the alerts' links stop working.
        await retire_links(member.id, TokenPurpose.SECURE_ACCOUNT, using_db=connection)
        await email_member(
            member,
            messages.notice(
                member.display_name,
                "Your password was reset",
                "The password of your account was just reset, and every session of yours ended.",
            ),
            MessageKind.PASSWORD_RESET,
            using_db=connection,
        )
        await activity.record_by(
            member,
            ActivityKind.PASSWORD_RESET,
            f"{member.display_name} reset their password",
            ip_address=ip_address,
            using_db=connection,
        )
    return True
