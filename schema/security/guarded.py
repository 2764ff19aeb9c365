"""What the guard's verdict (models/security/guard.py) answers: the one mapping for every mutation that checks
a secret a caller supplies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from models.security.guard import Claimant, Guard, Secret, Verdict
from models.security.lockout import LockoutPolicy
from schema.context import Context
from schema.errors import ErrorCode, UserError, rate_limited, user_error


def guard_of(context: Context) -> Guard:
    settings = context.settings
    return Guard(LockoutPolicy(settings.lockout_threshold, settings.lockout_seconds), settings.public_url)


async def check_secret(
    context: Context,
    claimant: Claimant,
    secret: Secret,
    verify: Callable[[], Awaitable[bool]],
    proven: Callable[[], Awaitable[bool]] | None = None,
) -> Verdict:
    """The guard's verdict (Guard.check); RATE_LIMITED (a GraphQL error) when the address is throttled."""
    verdict = await guard_of(context).check(claimant, secret, verify, proven)
    if verdict.retry_after is not None:
        raise rate_limited(verdict.retry_after)
    return verdict


def session_claimant(context: Context) -> Claimant:
    """A signed-in member's counter: their session's device's (it completed a sign-in), so a stranger
    guessing passwords elsewhere cannot lock the member out of confirming it is them."""
    principal = context.principal
    assert principal is not None
    device_id = principal.session.device_id or None
    return Claimant.of(principal.member, context.client.ip_address, device_id)


def refusal(verdict: Verdict, wrong: UserError) -> UserError | None:
    """None when the secret was accepted; else `wrong`, or ACCOUNT_LOCKED while the member is locked."""
    if verdict.accepted:
        return None
    if verdict.locked_until is not None:
        return locked_error(verdict.locked_until)
    return wrong


def locked_error(until: datetime) -> UserError:
    return user_error(
        ErrorCode.ACCOUNT_LOCKED,
        "Too many wrong passwords or codes: this is locked for a while. The e-mail we sent has a link "
        "that unlocks it sooner.",
    )
