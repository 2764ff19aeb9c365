"""TOTP second factor: enrol a secret, confirm it with a code (through the guard), disable it, and accept
codes. Enrolling while it is on, or confirming or disabling what is not set up, is refused.

A code is accepted within one 30-second step of drift and never twice: the accepted step is
recorded with one conditional UPDATE, so neither a replay nor two racing requests get through."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

import pyotp
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.models import Member
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member
from models.security.attempts import Refused, SessionHolder, check, refuse_unless_accepted
from models.security.errors import Refusal
from models.security.guard import Guard, Secret

ISSUER = "Account Gateway"
DRIFT_STEPS = 1
CODE_PATTERN = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_label: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_label, issuer_name=issuer)


def _matching_step(secret: str, code: str, at: datetime, after_step: int | None) -> int | None:
    """The oldest step within the drift window, newer than `after_step`, whose code is `code`."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = totp.at(step * totp.interval)
        if hmac.compare_digest(expected, code) and (after_step is None or step > after_step):
            return step
    return None


async def accept_totp_code(
    member: Member,
    code: str,
    *,
    pending: bool = False,
    at: datetime | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> bool:
    """True when `code` is the member's current TOTP code, not used before; the step is then used up.

    Checks the enabled secret, or with `pending` the enrolled but not yet confirmed one. Callers that
    let strangers guess must limit attempts themselves (a code has a million values)."""
    secret = member.totp_secret
    enabled = member.totp_enabled_at is not None
    if secret is None or enabled == pending or not CODE_PATTERN.fullmatch(code):
        return False
    step = _matching_step(secret, code, at or utcnow(), member.totp_last_step)
    if step is None:
        return False
    query = Member.filter(id=member.id, totp_secret=secret, totp_enabled_at__isnull=pending).filter(
        Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
    )
    if using_db is not None:
        query = query.using_db(using_db)
    if await query.update(totp_last_step=step) != 1:
        return False
    member.totp_last_step = step
    return True


@dataclass(frozen=True)
class Enrolment:
    """A pending secret, and the otpauth:// URI an authenticator app reads it from."""

    secret: str
    otpauth_uri: str


async def enroll(holder: SessionHolder) -> Enrolment:
    """A fresh pending secret (replacing any earlier pending one); refused while TOTP is enabled."""
    member, secret = holder.member, new_secret()
    async with in_transaction() as connection:
        updated = (
            await Member.filter(id=member.id, totp_enabled_at__isnull=True)
            .using_db(connection)
            .update(totp_secret=secret)
        )
        if updated != 1:
            raise Refused(
                Refusal.TOTP_ALREADY_ENABLED, "Two-factor sign-in is on already; turn it off first."
            )
        await _log(
            member,
            ActivityKind.TOTP_ENROLLMENT_STARTED,
            "started setting up an authenticator app",
            holder.ip_address,
            connection,
        )
    member.totp_secret = secret
    return Enrolment(secret, provisioning_uri(secret, member.username or member.email))


async def confirm(holder: SessionHolder, code: str, guard: Guard) -> None:
    """Enable the pending secret when `code` is right for it (through the guard, on the holder's counter)."""
    member = holder.member
    if member.totp_enabled_at is not None:
        raise Refused(Refusal.TOTP_ALREADY_ENABLED, "Two-factor sign-in is on already.")
    if member.totp_secret is None:
        raise Refused(
            Refusal.TOTP_NOT_ENROLLED, "Set up two-factor first, then enter the code your app shows."
        )

    async def verify() -> bool:
        return await _enable(member, code, holder.ip_address)

    verdict = await check(guard, holder.claimant, Secret.TOTP_SETUP_CODE, verify)
    wrong = Refused(Refusal.INVALID_CODE, "The code is wrong, expired or used already.", "code")
    refuse_unless_accepted(verdict, wrong)


async def _enable(member: Member, code: str, ip_address: str | None) -> bool:
    """Enable the pending secret when `code` is right for it; False when it is not."""
    async with in_transaction() as connection:
        if not await accept_totp_code(member, code, pending=True, using_db=connection):
            return False
        now = utcnow()
        updated = (
            await Member.filter(id=member.id, totp_secret=member.totp_secret, totp_enabled_at__isnull=True)
            .using_db(connection)
            .update(totp_enabled_at=now)
        )
        if updated != 1:
            return False
        await _notify(
            member,
            "Two-factor sign-in is on",
            "An authenticator app now gives the second factor for signing in to your account.",
            MessageKind.TOTP_ENABLED,
            connection,
        )
        await _log(member, ActivityKind.TOTP_ENABLED, "turned on two-factor sign-in", ip_address, connection)
    member.totp_enabled_at = now
    return True


async def disable(holder: SessionHolder) -> None:
    """Turn TOTP off and forget the secret; refused when it was not enabled."""
    if not await turn_off(holder.member, holder.ip_address, "turned off two-factor sign-in"):
        raise Refused(Refusal.TOTP_NOT_ENROLLED, "Two-factor sign-in is not on.")


async def turn_off(member: Member, ip_address: str | None, what: str) -> bool:
    """Turn TOTP off, forget the secret, e-mail the member and log `what` they did; False when it was off."""
    async with in_transaction() as connection:
        updated = (
            await Member.filter(id=member.id, totp_enabled_at__isnull=False)
            .using_db(connection)
            .update(totp_secret=None, totp_enabled_at=None, totp_last_step=None)
        )
        if updated != 1:
            return False
        await _notify(
            member,
            "Two-factor sign-in is off",
            "Two-factor sign-in was turned off for your account: your password alone now signs you in.",
            MessageKind.TOTP_DISABLED,
            connection,
        )
        await _log(member, ActivityKind.TOTP_DISABLED, what, ip_address, connection)
    member.totp_secret = None
    member.totp_enabled_at = None
    member.totp_last_step = None
    return True


async def _notify(
    member: Member, subject: str, sentence: str, kind: MessageKind, connection: BaseDBAsyncClient
) -> None:
    await email_member(
        member, messages.notice(member.display_name, subject, sentence), kind, using_db=connection
    )


async def _log(
    member: Member, kind: ActivityKind, what: str, ip_address: str | None, connection: BaseDBAsyncClient
) -> None:
    await activity.record_by(
        member,
        kind,
        f"{member.display_name} {what}",
        ip_address=ip_address,
        using_db=connection,
    )
