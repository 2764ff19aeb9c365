"""Step-up: a signed-in member confirms it is them (a code, or their authenticator app) for a while."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.models import Channel, Member
from models.notify.send import send_code
from models.security.attempts import (
    TOO_MANY_CODES,
    WRONG_CODE,
    CodePolicy,
    Gate,
    Refused,
    SessionHolder,
    check,
    refuse_throttled_ip,
    refuse_unless_accepted,
    throttled,
)
from models.security.challenges import IssuedChallenge
from models.security.codes import TooManyCodes, issue_code, redeem_code
from models.security.errors import Refusal
from models.security.guard import Secret
from models.security.models import Session, TokenPurpose
from models.security.recovery_codes import is_recovery_code, redeem
from models.security.totp import accept_totp_code

STEP_UP_PURPOSE = "confirm it is you"


async def request_code(holder: SessionHolder, channel: Channel, codes: CodePolicy) -> IssuedChallenge:
    """A step-up code for the holder's session, by e-mail or to their confirmed phone."""
    member = holder.member
    await refuse_throttled_ip(holder.ip_address)
    if channel is Channel.SMS and not (member.phone and member.phone_confirmed):
        raise Refused(Refusal.INVALID_CHANNEL, "You have no confirmed phone for codes.", "channel")
    minutes = codes.code_seconds // 60
    try:
        async with in_transaction() as connection:
            code, row = await issue_code(
                member.id,
                TokenPurpose.STEP_UP,
                codes.secret_key,
                codes.code_seconds,
                session_id=holder.session.id,
                using_db=connection,
            )
            sent_to = await send_code(member, channel, STEP_UP_PURPOSE, code, minutes, using_db=connection)
            await holder.record(
                ActivityKind.STEP_UP_REQUESTED, f"Step-up code sent to {sent_to}", using_db=connection
            )
    except TooManyCodes as refused_codes:
        raise throttled(refused_codes.retry_after, TOO_MANY_CODES) from None
    channels = [Channel.EMAIL.value] + (
        [Channel.SMS.value] if member.phone and member.phone_confirmed else []
    )
    return IssuedChallenge(id=row.id, channels=channels, sent_to=sent_to)


async def verify(holder: SessionHolder, code: str, gate: Gate, seconds: int) -> Session:
    """The code (or a TOTP or recovery code) through the guard; the session is elevated for `seconds`."""
    session = holder.session
    if is_recovery_code(code):

        async def verify_recovery_code() -> bool:
            return await redeem(holder.member, code, gate.codes.secret_key, holder.ip_address)

        verdict = await check(gate.guard, holder.claimant, Secret.RECOVERY_CODE, verify_recovery_code)
        refuse_unless_accepted(verdict, Refused(Refusal.INVALID_CODE, WRONG_CODE, "code"))
        return await elevate(holder, seconds)

    async def verify_code() -> bool:
        row = await redeem_code(
            holder.member.id,
            TokenPurpose.STEP_UP,
            code[:20],
            gate.codes.secret_key,
            gate.codes.code_max_attempts,
            session_id=session.id,
        )
        return row is not None or await _totp_steps_up(holder.member, code)

    verdict = await check(gate.guard, holder.claimant, Secret.STEP_UP_CODE, verify_code)
    refuse_unless_accepted(verdict, Refused(Refusal.INVALID_CODE, WRONG_CODE, "code"))
    return await elevate(holder, seconds)


async def elevate(holder: SessionHolder, seconds: int) -> Session:
    """The holder's session opens sensitive mutations for `seconds`."""
    session = holder.session
    session.elevated_until = utcnow() + timedelta(seconds=seconds)
    await Session.filter(id=session.id).update(elevated_until=session.elevated_until)
    await holder.record(ActivityKind.STEP_UP_VERIFIED, f"{holder.member.display_name} confirmed it was them")
    return session


async def _totp_steps_up(member: Member, code: str) -> bool:
    """A TOTP code answers step-up too (the guard bounds the guesses, as for e-mailed codes)."""
    return member.totp_enabled_at is not None and await accept_totp_code(member, code[:20])
