"""Timezone-aware UTC time, one place; tests move it ahead instead of sleeping (a lease lapses, a token
expires)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_ahead = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _ahead


@contextmanager
def moved_ahead(by: timedelta) -> Iterator[None]:
    """Tests: this process's clock runs `by` ahead inside the block (other processes keep real time)."""
    global _ahead
    _ahead += by
    try:
        yield
    finally:
        _ahead -= by
