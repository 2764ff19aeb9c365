"""The self-unlock link the lockout e-mail carries."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.members.models import Member
from models.security.attempts import INVALID_LINK, Refused
from models.security.codes import find_link_token, use_token
from models.security.errors import Refusal
from models.security.lockout import end_lock
from models.security.models import TokenPurpose


async def unlock_with_link(token: str, ip_address: str | None) -> None:
    """End the member's lock with the link's one use, and log it, in one commit."""
    row = await find_link_token(token, TokenPurpose.UNLOCK)
    member = await Member.get_or_none(id=row.member_id) if row else None
    if row is None or member is None:
        raise Refused(Refusal.INVALID_TOKEN, INVALID_LINK, "token")
    async with in_transaction() as connection:
        if not await use_token(row, using_db=connection):
            raise Refused(Refusal.INVALID_TOKEN, INVALID_LINK, "token")
        await end_lock(member, using_db=connection)
        await activity.record_by(
            member,
            ActivityKind.MEMBER_UNLOCKED,
            f"{member.display_name} unlocked sign-in with the e-mailed link",
            ip_address=ip_address,
            using_db=connection,
        )
