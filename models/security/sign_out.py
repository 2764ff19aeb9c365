"""Ending sessions: this one, one of the member's, or all of them."""

from __future__ import annotations

from models.activity import ActivityKind
from models.db.clock import utcnow
from models.security.attempts import Refused, SessionHolder
from models.security.errors import Refusal
from models.security.models import Session
from models.security.sessions import revoke_sessions


async def sign_out(holder: SessionHolder) -> None:
    await Session.filter(id=holder.session.id).update(revoked_at=utcnow())
    await holder.record(ActivityKind.SIGN_OUT, f"{holder.member.display_name} signed out")


async def revoke_session(holder: SessionHolder, session_pk: int | None) -> None:
    """End one of the holder's live sessions (`session_pk` None: no such session)."""
    revoked = 0
    if session_pk is not None:
        revoked = await Session.filter(id=session_pk, member_id=holder.member.id, revoked_at=None).update(
            revoked_at=utcnow()
        )
    if not revoked:
        raise Refused(Refusal.NOT_FOUND, "No such session of yours.", "id")
    await holder.record(ActivityKind.SESSION_REVOKED, f"{holder.member.display_name} ended a session")


async def sign_out_everywhere(holder: SessionHolder) -> None:
    count = await revoke_sessions(holder.member.id)
    await holder.record(
        ActivityKind.SIGNED_OUT_EVERYWHERE, f"{holder.member.display_name} ended all {count} sessions"
    )
