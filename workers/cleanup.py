"""The hourly clean-up: persisted queries past their time (lookups ignore them already; this frees rows)."""

from __future__ import annotations

from typing import Any

from models.partners.persisted_queries import sweep_expired

CLEANUP_MINUTE = 35


async def sweep_persisted_queries(ctx: dict[str, Any]) -> int:
    """Delete the persisted queries that expired; returns how many (idempotent)."""
    return await sweep_expired()
