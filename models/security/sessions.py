"""Session lifecycle: issue, look up by token, keep alive, revoke. Tokens are stored as SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.db.prepared import PreparedQuery
from models.members.models import Member
from models.security.devices import remember
from models.security.models import Session
from models.security.tokens import hash_token, new_token

TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: int
    max_seconds: int


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, as recorded on sessions and activity."""

    ip_address: str | None = None
    user_agent: str | None = None
    device_id: str | None = None


async def start_session(
    member: Member,
    client: ClientInfo,
    policy: SessionPolicy,
    using_db: BaseDBAsyncClient | None = None,
) -> tuple[str, Session]:
    """A new session for the member; returns the token (shown once) and the row."""
    token, token_hash = new_token()
    now = utcnow()
    session = await Session.create(
        member_id=member.id,
        token_hash=token_hash,
        device_id=client.device_id,
        ip_address=client.ip_address,
        user_agent=(client.user_agent or "")[:512] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=policy.max_seconds),
        using_db=using_db,
    )
    return token, session


async def open_session(member: Member, client: ClientInfo, policy: SessionPolicy, how: str) -> str:
    """A new session for a member who proved who they are, from `client`'s device; logs `how`, returns
    the token."""
    # One commit for the session and what comes with it, not four.
    async with in_transaction() as connection:
        token, _session = await start_session(member, client, policy, using_db=connection)
        await remember(member.id, client.device_id, using_db=connection)
        member.last_sign_in_at = utcnow()
        await Member.filter(id=member.id).using_db(connection).update(last_sign_in_at=member.last_sign_in_at)
        await activity.record_by(
            member,
            ActivityKind.SIGN_IN,
            f"{member.display_name} signed in ({how})",
            ip_address=client.ip_address,
            using_db=connection,
        )
    return token


# Every signed-in request runs this read: its SQL is built once (models/db/prepared.py). The member's
# account and its autopay enrolment come along: most requests show the account, and this saves them a
# statement of their own (schema.accounts.types.load_account).
_LIVE_SESSION = PreparedQuery(
    Session,
    lambda token_hash: (
        Session.filter(token_hash=token_hash, revoked_at=None)
        .select_related("member__account__autopay")
        .limit(1)
    ),
)


async def session_for_token(token: str, policy: SessionPolicy, now: datetime | None = None) -> Session | None:
    """The live session for a token, with its member and the member's account (and the account's
    autopay enrolment) loaded; None when unknown, revoked or expired."""
    now = now or utcnow()
    found = await _LIVE_SESSION.fetch(hash_token(token))
    session = found[0] if found else None
    if session is None or not is_live(session, policy, now):
        return None
    if now - session.last_seen_at >= TOUCH_INTERVAL:
        session.last_seen_at = now
        await Session.filter(id=session.id).update(last_seen_at=now)
    return session


def is_live(session: Session, policy: SessionPolicy, now: datetime) -> bool:
    idle_limit = session.last_seen_at + timedelta(seconds=policy.idle_seconds)
    return session.revoked_at is None and now < session.expires_at and now < idle_limit


def is_elevated(session: Session, now: datetime | None = None) -> bool:
    return session.elevated_until is not None and (now or utcnow()) < session.elevated_until


async def revoke_sessions(
    member_id: int,
    *,
    keep_session_id: int | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> int:
    """End every live session of the member (but `keep_session_id`); returns how many ended."""
    query = Session.filter(member_id=member_id, revoked_at=None)
    if keep_session_id is not None:
        query = query.exclude(id=keep_session_id)
    if using_db is not None:
        query = query.using_db(using_db)
    return await query.update(revoked_at=utcnow())
