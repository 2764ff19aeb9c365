"""A password reset asked for and carried out: the link or texted code, then the security answer (and a
recovery code to turn two-factor off), each through the guard, then the new password
(models/security/recovery.py keeps the rows and messages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

from models.members.models import Channel, Member, fold_username
from models.security.activation import MAX_ANSWER
from models.security.attempts import INVALID_LINK, WRONG_CODE, Gate, Refused, check, refuse_throttled_ip
from models.security.errors import Refusal
from models.security.guard import Claimant, Secret
from models.security.models import OneTimeToken
from models.security.passwords import Identity, normalise_answer
from models.security.recovery import (
    complete_reset,
    live_reset_codes,
    live_reset_link,
    members_for_login,
    record_request,
    refund_attempt,
    reserve_attempt,
    reset_code_matches,
)
from models.security.recovery_codes import redeem
from models.security.totp import turn_off

NEEDS_RECOVERY_CODE = (
    "Turning two-factor sign-in off with a reset needs one of your recovery codes. Without one, reset "
    "your password alone and call customer support (the number is on your bill): they confirm who you "
    "are and turn it off for you."
)


@dataclass(frozen=True)
class PasswordReset:
    """The link's token, or the texted code with the login it was asked for; the answer; the password;
    a recovery code when two-factor sign-in is to be turned off."""

    token: str | None
    code: str | None
    login: str | None
    new_password: str
    security_answer: str
    recovery_code: str | None = None
    turn_off_two_factor: bool = False


@dataclass(frozen=True)
class ResetLink:
    """What a live e-mailed reset link opens with."""

    security_question: str
    expires_at: datetime


async def ask_for_reset(login: str, channel: Channel, ip_address: str | None) -> None:
    """Record the request (the worker sends the link or code); refused while the address is throttled."""
    await refuse_throttled_ip(ip_address)
    await record_request(login, channel, ip_address)


async def reset_link(token: str) -> ResetLink | None:
    """The live link's question and expiry; None when it is not valid or its member has no question."""
    found = await live_reset_link(token)
    if found is None or not found[0].security_question:
        return None
    member, row = found
    return ResetLink(member.security_question or "", row.expires_at)


async def reset_password(gate: Gate, reset: PasswordReset, ip_address: str | None) -> None:
    """Set the new password the link or code and the security answer allow. Callers admit it first
    (Passwords.admitted), as a credential check."""
    await refuse_throttled_ip(ip_address)
    if reset.turn_off_two_factor and not reset.recovery_code:
        raise Refused(Refusal.RECOVERY_CODE_REQUIRED, NEEDS_RECOVERY_CODE, "recoveryCode")
    member, row, dead = await _reset_row(gate, reset, ip_address)
    if not await reserve_attempt(row):
        raise dead
    answer = reset.security_answer if len(reset.security_answer) <= MAX_ANSWER else ""

    async def verify() -> bool:
        return await gate.passwords.verify(member.security_answer_hash, normalise_answer(answer))

    # A recovery secret: the guard checks it while the member is locked, so a wrong one is only wrong.
    if not (
        await check(gate.guard, Claimant.of(member, ip_address), Secret.SECURITY_ANSWER, verify)
    ).accepted:
        raise Refused(Refusal.WRONG_SECURITY_ANSWER, "The answer is not right.", "securityAnswer")
    await refund_attempt(row)
    problem = await gate.passwords.problem(reset.new_password, Identity.of(member))
    if problem is not None:
        raise Refused(Refusal.WEAK_PASSWORD, problem, "newPassword")
    if reset.turn_off_two_factor:
        await _spend_recovery_code(gate, member, reset.recovery_code or "", ip_address)
    password_hash = await gate.passwords.hash(reset.new_password)
    if not await complete_reset(member, row, password_hash, ip_address):
        raise dead
    if reset.turn_off_two_factor:
        await turn_off(member, ip_address, "turned off two-factor sign-in with a reset and a recovery code")


async def _spend_recovery_code(gate: Gate, member: Member, code: str, ip_address: str | None) -> None:
    """One of the member's recovery codes, through the guard (a recovery secret: checked while locked)."""

    async def verify() -> bool:
        return await redeem(member, code, gate.codes.secret_key, ip_address)

    if not (
        await check(gate.guard, Claimant.of(member, ip_address), Secret.RESET_RECOVERY_CODE, verify)
    ).accepted:
        raise Refused(Refusal.INVALID_CODE, "The recovery code is wrong or used already.", "recoveryCode")


async def _reset_row(
    gate: Gate, reset: PasswordReset, ip_address: str | None
) -> tuple[Member, OneTimeToken, Refused]:
    """The member and live reset row the token or code names (not used up), with the refusal once it dies."""
    if reset.token is not None:
        invalid = Refused(Refusal.INVALID_TOKEN, INVALID_LINK, "token")
        link = await live_reset_link(reset.token)
        if link is None:
            raise invalid
        return (*link, invalid)
    if reset.code is not None and reset.login is not None:
        invalid = Refused(Refusal.INVALID_CODE, WRONG_CODE, "code")
        found = await _reset_code_row(gate, reset.login, reset.code[:20], ip_address)
        if found is None:
            raise invalid
        return (*found, invalid)
    raise Refused(
        Refusal.INVALID_INPUT, "Give the token from the link, or the SMS code with its login.", "token"
    )


async def _reset_code_row(
    gate: Gate, login: str, code: str, ip_address: str | None
) -> tuple[Member, OneTimeToken] | None:
    """The member and live SMS reset row `code` answers, each guess through the guard: it counts for the
    member (and the row), for the address and in the activity log; a login nobody has counts alike."""
    candidates = await live_reset_codes(await members_for_login(login))
    for member, row in candidates:

        async def matches(row: OneTimeToken = row) -> bool:
            return await reset_code_matches(row, code, gate.codes.secret_key)

        if (await check(gate.guard, Claimant.of(member, ip_address), Secret.RESET_CODE, matches)).accepted:
            return member, row
    if not candidates:

        async def nothing_matches() -> bool:
            return False

        nobody = Claimant(f"r:{sha256(fold_username(login).encode()).hexdigest()[:32]}", None, ip_address)
        await check(gate.guard, nobody, Secret.RESET_CODE, nothing_matches)
    return None
