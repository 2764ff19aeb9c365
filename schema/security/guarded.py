"""What the security operations take from a request: the guard (models/security/guard.py) with the
settings' limits, the code and session policies, and the signed-in member's session."""

from __future__ import annotations

from models.security.attempts import CodePolicy, Gate, SessionHolder
from models.security.guard import Guard
from models.security.lockout import LockoutPolicy
from models.security.passkeys import RelyingParty
from schema.context import Context


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


def party_of(context: Context) -> RelyingParty:
    """The passkeys' relying party: the RP id and origin of PUBLIC_URL."""
    return RelyingParty.of(context.settings.public_url, context.settings.secret_key)
