"""WebAuthn challenges: random, single use, five minutes, bound to their flow (and member and session).

Only the challenge's SHA-256 is stored; the answer carries the challenge in its clientDataJSON, which
finds the row, and one conditional UPDATE uses it up, so a replayed or racing answer finds it used."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime, timedelta

from models.db.clock import utcnow
from models.security.models import PasskeyFlow, WebAuthnChallenge

CHALLENGE_SECONDS = 300
CHALLENGE_BYTES = 32


def _hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


async def issue(
    flow: PasskeyFlow, member_id: int | None = None, session_id: int | None = None, *, named: bool = False
) -> bytes:
    """A fresh challenge for `flow`, remembered by its hash."""
    challenge, now = secrets.token_bytes(CHALLENGE_BYTES), utcnow()
    await WebAuthnChallenge.create(
        challenge_hash=_hash(challenge),
        flow=flow,
        member_id=member_id,
        session_id=session_id,
        named=named,
        created_at=now,
        expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
    )
    return challenge


def challenge_in(client_data_json: bytes) -> bytes | None:
    """The challenge a clientDataJSON answers; None when it names none."""
    try:
        encoded = json.loads(client_data_json)["challenge"]
        return (
            base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if isinstance(encoded, str)
            else None
        )
    except (ValueError, KeyError, TypeError):
        return None


async def claim(
    challenge: bytes | None, flow: PasskeyFlow, member_id: int | None = None, session_id: int | None = None
) -> WebAuthnChallenge | None:
    """The live challenge row of `flow` (for the member and session, when given), now used; None when it is
    unknown, expired, for another flow, member or session, or used already."""
    if challenge is None:
        return None
    query = WebAuthnChallenge.filter(
        challenge_hash=_hash(challenge), flow=flow, used_at=None, expires_at__gt=utcnow()
    )
    if member_id is not None:
        query = query.filter(member_id=member_id)
    if session_id is not None:
        query = query.filter(session_id=session_id)
    row = await query.first()
    if row is None or await WebAuthnChallenge.filter(id=row.id, used_at=None).update(used_at=utcnow()) != 1:
        return None
    return row


async def sweep_expired(now: datetime | None = None) -> int:
    """Delete the challenges past their time, used or not (an expired one is refused whether its row is
    there or not); returns how many. Anyone may ask for a sign-in challenge, so rows must not pile up."""
    return await WebAuthnChallenge.filter(expires_at__lte=now or utcnow()).delete()
