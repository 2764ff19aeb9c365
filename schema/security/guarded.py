"""What the guard's verdict (models/security/guard.py) and the security operations' refusals answer: the
one mapping for every mutation that checks a secret a caller supplies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from models.security import attempts
from models.security.attempts import LOCKED_MESSAGE, CodePolicy, Gate, Refused, SessionHolder
from models.security.guard import Claimant, Guard, Secret, Verdict
from models.security.lockout import LockoutPolicy
from schema.context import Context
from schema.errors import ErrorCode, UserError, refusal_error, user_error


def guard_of(context: Context) -> Guard:
    settings = context.settings
    return Guard(LockoutPolicy(settings.lockout_threshold, settings.lockout_seconds), settings.public_url)


def codes_of(context: Context) -> CodePolicy:
    settings = context.settings
    return CodePolicy(settings.secret_key, settings.code_seconds, settings.code_max_attempts)


def gate_of(context: Context) -> Gate:
    return Gate(
        context.passwords,
        guard_of(context),
        codes_of(context),
        context.session_policy,
        context.settings.public_url,
    )


def holder_of(context: Context) -> SessionHolder:
    principal = context.principal
    assert principal is not None
    return SessionHolder(principal.member, principal.session, context.client.ip_address)


async def check_secret(
    context: Context,
    claimant: Claimant,
    secret: Secret,
    verify: Callable[[], Awaitable[bool]],
    proven: Callable[[], Awaitable[bool]] | None = None,
) -> Verdict:
    """The guard's verdict (Guard.check); RATE_LIMITED (a GraphQL error) when the address is throttled."""
    try:
        return await attempts.check(guard_of(context), claimant, secret, verify, proven)
    except Refused as throttled:
        refusal_error(throttled)  # raises RATE_LIMITED: the check refuses nothing else
        raise


async def refuse_throttled_ip(context: Context) -> None:
    """RATE_LIMITED for an address with too many recent failed sign-ins (sign-in, reset, step-up)."""
    try:
        await attempts.refuse_throttled_ip(context.client.ip_address)
    except Refused as throttled:
        refusal_error(throttled)
        raise


def session_claimant(context: Context) -> Claimant:
    """A signed-in member's counter: their session's device's (it completed a sign-in), so a stranger
    guessing passwords elsewhere cannot lock the member out of confirming it is them."""
    return holder_of(context).claimant


def refusal(verdict: Verdict, wrong: UserError) -> UserError | None:
    """None when the secret was accepted; else `wrong`, or ACCOUNT_LOCKED while the member is locked."""
    if verdict.accepted:
        return None
    if verdict.locked_until is not None:
        return locked_error(verdict.locked_until)
    return wrong


def locked_error(until: datetime) -> UserError:
    return user_error(ErrorCode.ACCOUNT_LOCKED, LOCKED_MESSAGE)
