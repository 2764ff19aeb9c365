"""Sign-in challenges: a second factor before a session, for an unfamiliar device with risk."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.models import Channel, Member
from models.notify.send import send_code
from models.security.attempts import CodePolicy, check
from models.security.codes import issue_code, redeem_code, use_token
from models.security.guard import Claimant, Guard, Secret, Verdict
from models.security.models import OneTimeToken, TokenPurpose
from models.security.recovery_codes import is_recovery_code, redeem
from models.security.totp import accept_totp_code

SIGN_IN_PURPOSE = "finish signing in"
TOTP = "TOTP"


@dataclass(frozen=True)
class IssuedChallenge:
    """A challenge row's id, the channels that can answer it, and where its code went (None for TOTP)."""

    id: int
    channels: list[str]
    sent_to: str | None


@dataclass(frozen=True)
class Answered:
    """The guard's verdict on a challenge's code, and the member and device it was for."""

    verdict: Verdict
    member: Member | None = None
    device_id: str = ""


async def start_challenge(
    member: Member, device_id: str, codes: CodePolicy, ip_address: str | None
) -> IssuedChallenge:
    """A challenge row; the code goes by e-mail (and SMS when chosen), unless TOTP answers it."""
    uses_totp = member.totp_enabled_at is not None
    sms = Channel.SMS.value in member.notification_preferences.get("security", []) and member.phone_confirmed
    async with in_transaction() as connection:
        code, row = await issue_code(
            member.id,
            TokenPurpose.SIGN_IN_CHALLENGE,
            codes.secret_key,
            codes.code_seconds,
            payload={"deviceId": device_id},
            using_db=connection,
        )
        sent_to = None
        if not uses_totp:
            minutes = codes.code_seconds // 60
            sent_to = await send_code(
                member, Channel.EMAIL, SIGN_IN_PURPOSE, code, minutes, using_db=connection
            )
            if sms:
                await send_code(member, Channel.SMS, SIGN_IN_PURPOSE, code, minutes, using_db=connection)
        await activity.record_by(
            member,
            ActivityKind.SIGN_IN_CHALLENGED,
            f"Sign-in for {member.username} from a new device needs a second factor",
            ip_address=ip_address,
            using_db=connection,
        )
    channels = [TOTP] if uses_totp else [Channel.EMAIL.value] + ([Channel.SMS.value] if sms else [])
    return IssuedChallenge(id=row.id, channels=channels, sent_to=sent_to)


async def answer_challenge(
    guard: Guard, challenge_pk: int | None, code: str, codes: CodePolicy, ip_address: str | None
) -> Answered:
    """Check `code` (or a recovery code) against the challenge through the guard: wrong codes count for
    the member across all their challenges (a lock at the threshold), for the address, and in the
    activity log."""
    pk = challenge_pk
    row = await OneTimeToken.get_or_none(id=pk, purpose=TokenPurpose.SIGN_IN_CHALLENGE) if pk else None
    live = row is not None and row.used_at is None and row.expires_at > utcnow()
    member = await Member.get(id=row.member_id) if row is not None and live else None
    # A dead or unknown challenge is a wrong code too: it counts for the address, on a counter of its own.
    claimant = Claimant.of(member, ip_address) if member else Claimant(f"c:{pk or 0}", None, ip_address)

    recovery = is_recovery_code(code)

    async def verify() -> bool:
        if row is None or member is None:
            return False
        if recovery:
            return await _recovery_code_answers(row, member, code, codes.secret_key, ip_address)
        if member.totp_enabled_at is not None:
            return await _totp_answers(row, member, code, codes.code_max_attempts)
        redeemed = await redeem_code(
            member.id,
            TokenPurpose.SIGN_IN_CHALLENGE,
            code[:20],
            codes.secret_key,
            codes.code_max_attempts,
        )
        return redeemed is not None and redeemed.id == row.id

    secret = Secret.RECOVERY_CODE if recovery else Secret.SIGN_IN_CODE
    verdict = await check(guard, claimant, secret, verify)
    device_id = str(row.payload.get("deviceId") or "") if row is not None else ""
    return Answered(verdict, member, device_id)


async def _totp_answers(row: OneTimeToken, member: Member, code: str, max_attempts: int) -> bool:
    counted = await OneTimeToken.filter(id=row.id, used_at=None, attempts__lt=max_attempts).update(
        attempts=F("attempts") + 1
    )
    return counted == 1 and await accept_totp_code(member, code[:20]) and await use_token(row)


class _Unanswered(Exception):
    """Rolls back a challenge's use when the recovery code was not the member's."""


async def _recovery_code_answers(
    row: OneTimeToken, member: Member, code: str, secret_key: str, ip_address: str | None
) -> bool:
    """The challenge and one of the member's recovery codes used up together, or neither."""
    try:
        async with in_transaction() as connection:
            if not await use_token(row, using_db=connection):
                return False
            if not await redeem(member, code, secret_key, ip_address, using_db=connection):
                raise _Unanswered
    except _Unanswered:
        return False
    return True
