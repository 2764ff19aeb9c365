"""A signed-in member changes their password: the current one through the guard, then the new one."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.models import Member
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member
from models.security.attempts import Gate, Refused, SessionHolder, check, refuse_unless_accepted
from models.security.errors import Refusal
from models.security.guard import Secret
from models.security.passwords import MAX_LENGTH, Identity
from models.security.sessions import revoke_sessions


@dataclass(frozen=True)
class PasswordChange:
    current_password: str
    new_password: str


async def change_password(holder: SessionHolder, change: PasswordChange, gate: Gate) -> None:
    """The new password, the member's other sessions ended and an e-mail saying so, in one commit.
    Callers admit it first (Passwords.admitted), as a credential check."""
    member, passwords = holder.member, gate.passwords
    current = change.current_password if len(change.current_password) <= MAX_LENGTH else ""

    async def verify() -> bool:
        return await passwords.verify(member.password_hash, current)

    verdict = await check(gate.guard, holder.claimant, Secret.CURRENT_PASSWORD, verify)
    wrong = Refused(Refusal.INVALID_CREDENTIALS, "The current password is not right.", "currentPassword")
    refuse_unless_accepted(verdict, wrong)
    problem = await passwords.problem(change.new_password, Identity.of(member))
    if problem is not None:
        raise Refused(Refusal.WEAK_PASSWORD, problem, "newPassword")
    new_hash = await passwords.hash(change.new_password)
    async with in_transaction() as connection:
        await (
            Member.filter(id=member.id)
            .using_db(connection)
            .update(password_hash=new_hash, password_changed_at=utcnow())
        )
        await revoke_sessions(member.id, keep_session_id=holder.session.id, using_db=connection)
        await email_member(
            member,
            messages.notice(
                member.display_name,
                "Your password was changed",
                "The password of your account was just changed, and your other sessions ended.",
            ),
            MessageKind.PASSWORD_CHANGED,
            using_db=connection,
        )
        await holder.record(
            ActivityKind.PASSWORD_CHANGED,
            f"{member.display_name} changed their password",
            using_db=connection,
        )
