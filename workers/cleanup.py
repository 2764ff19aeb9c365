"""The clean-ups: rows past their time that lookups ignore already (persisted queries hourly, WebAuthn
challenges every few minutes, as anyone may ask for one); deleting them frees the rows."""

from __future__ import annotations

from typing import Any

from models.partners import persisted_queries
from models.security import webauthn_challenges

CLEANUP_MINUTE = 35
CHALLENGE_SWEEP_MINUTES = set(range(1, 60, 5))


async def sweep_persisted_queries(ctx: dict[str, Any]) -> int:
    """Delete the persisted queries that expired; returns how many (idempotent)."""
    return await persisted_queries.sweep_expired()


async def sweep_webauthn_challenges(ctx: dict[str, Any]) -> int:
    """Delete the WebAuthn challenges that expired; returns how many (idempotent)."""
    return await webauthn_challenges.sweep_expired()
