"""One-time link tokens and six-digit codes: issue, check, use once. Each use is one conditional
UPDATE, so two requests racing with the same token or code cannot both succeed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from models.db.clock import utcnow
from models.members.models import Member
from models.security.models import OneTimeToken, TokenPurpose
from models.security.tokens import hash_code, hash_token, new_code, new_token, same_hash

# Each new-sign-in alert's "this wasn't me" link stands on its own until it expires: a later sign-in
# (perhaps the intruder's) must not void the earlier alerts' links. A password reset retires them.
_EACH_STANDS = frozenset({TokenPurpose.SECURE_ACCOUNT})
CODE_LIMIT = 5
CODE_WINDOW = timedelta(minutes=15)


class TooManyCodes(Exception):
    """CODE_LIMIT codes of one purpose were sent to the member within CODE_WINDOW."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many codes; retry after {retry_after} s")
        self.retry_after = retry_after


async def issue_link_token(
    member_id: int,
    purpose: TokenPurpose,
    seconds: int,
    *,
    payload: dict[str, Any] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> str:
    """A fresh link token; earlier unused ones of the same purpose stop working (but for alerts' links)."""
    if purpose not in _EACH_STANDS:
        await _retire(member_id, purpose, None, using_db)
    token, token_hash = new_token()
    now = utcnow()
    await OneTimeToken.create(
        member_id=member_id,
        purpose=purpose,
        token_hash=token_hash,
        payload=payload or {},
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
        using_db=using_db,
    )
    return token


async def find_link_token(token: str, purpose: TokenPurpose) -> OneTimeToken | None:
    """The valid, unused token row, without using it up."""
    if not token or len(token) > 200:
        return None
    row = await OneTimeToken.filter(token_hash=hash_token(token), purpose=purpose, used_at=None).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


async def use_token(row: OneTimeToken, using_db: BaseDBAsyncClient | None = None) -> bool:
    """Mark the token or code used; False when another request used it first."""
    query = OneTimeToken.filter(id=row.id, used_at=None)
    if using_db is not None:
        query = query.using_db(using_db)
    return await query.update(used_at=utcnow()) == 1


async def issue_code(
    member_id: int,
    purpose: TokenPurpose,
    secret_key: str,
    seconds: int,
    *,
    session_id: int | None = None,
    payload: dict[str, Any] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> tuple[str, OneTimeToken]:
    """A fresh six-digit code; earlier unused codes of the same purpose (and session) stop working.

    At most CODE_LIMIT codes of a purpose go to a member within CODE_WINDOW, whatever asks for them
    (a re-request, a fresh sign-in challenge): else TooManyCodes, and nothing is sent."""
    await _refuse_past_limit(member_id, purpose, using_db)
    await _retire(member_id, purpose, session_id, using_db)
    code = new_code()
    now = utcnow()
    row = await OneTimeToken.create(
        member_id=member_id,
        purpose=purpose,
        token_hash=hash_code(secret_key, code),
        payload=payload or {},
        session_id=session_id,
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
        using_db=using_db,
    )
    return code, row


async def redeem_code(
    member_id: int,
    purpose: TokenPurpose,
    code: str,
    secret_key: str,
    max_attempts: int,
    *,
    session_id: int | None = None,
) -> OneTimeToken | None:
    """The code's row, now used; None when wrong, expired, exhausted or already used (a wrong try counts)."""
    query = OneTimeToken.filter(member_id=member_id, purpose=purpose, used_at=None, expires_at__gt=utcnow())
    if session_id is not None:
        query = query.filter(session_id=session_id)
    row = await query.order_by("-id").first()
    if row is None:
        return None
    counted = await OneTimeToken.filter(id=row.id, used_at=None, attempts__lt=max_attempts).update(
        attempts=F("attempts") + 1
    )
    if counted != 1:
        return None
    candidate = code.strip()
    if not (
        len(candidate) == 6
        and candidate.isascii()
        and candidate.isdigit()
        and same_hash(hash_code(secret_key, candidate), row.token_hash)
    ):
        return None
    return row if await use_token(row) else None


async def retire_links(
    member_id: int, purpose: TokenPurpose, using_db: BaseDBAsyncClient | None = None
) -> None:
    """Every unused link of `purpose` stops working."""
    await _retire(member_id, purpose, None, using_db)


async def _refuse_past_limit(
    member_id: int, purpose: TokenPurpose, using_db: BaseDBAsyncClient | None, now: datetime | None = None
) -> None:
    now = now or utcnow()
    members = Member.filter(id=member_id)
    recent = OneTimeToken.filter(member_id=member_id, purpose=purpose, created_at__gt=now - CODE_WINDOW)
    if using_db is not None:
        # The member row lock orders concurrent requests, so the limit holds exactly (PostgreSQL).
        await members.select_for_update().using_db(using_db).first()
        recent = recent.using_db(using_db)
    times: list[datetime] = sorted(cast(list[datetime], await recent.values_list("created_at", flat=True)))
    if len(times) >= CODE_LIMIT:
        oldest = times[-CODE_LIMIT]
        raise TooManyCodes(max(1, int((oldest + CODE_WINDOW - now).total_seconds()) + 1))


async def _retire(
    member_id: int, purpose: TokenPurpose, session_id: int | None, using_db: BaseDBAsyncClient | None
) -> None:
    query = OneTimeToken.filter(member_id=member_id, purpose=purpose, used_at=None)
    if session_id is not None:
        query = query.filter(session_id=session_id)
    if using_db is not None:
        query = query.using_db(using_db)
    await query.update(used_at=utcnow())
