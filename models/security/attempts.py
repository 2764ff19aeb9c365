"""What the security operations share: who attempts one, the guard's check, and how one is refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient

from models import activity
from models.activity import ActivityKind
from models.errors import Refused as BaseRefused
from models.members.models import Member
from models.security import throttle
from models.security.guard import Claimant, Guard, Secret, Verdict
from models.security.models import Session
from models.security.passwords import Passwords
from models.security.sessions import SessionPolicy

LOCKED_MESSAGE = (
    "Too many wrong passwords or codes: this is locked for a while. The e-mail we sent has a link "
    "that unlocks it sooner."
)
THROTTLED_MESSAGE = "Too many failed attempts from your network."
INVALID_LINK = "This link is not valid any more."
WRONG_CODE = "The code is wrong, expired or used up."
TOO_MANY_CODES = "We have sent you several codes already."


class Guarded(StrEnum):
    """The refusals the guard itself answers; the schema shows ACCOUNT_LOCKED as that UserError code and
    RATE_LIMITED as the GraphQL error of that code."""

    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    RATE_LIMITED = "RATE_LIMITED"


class Refused(BaseRefused):
    """A security operation's refusal (models.errors.Refused: its reason, an operation's Refusal enum or
    Guarded; the sentence; the field), with until when a lock lasts or how long to wait."""

    def __init__(
        self,
        reason: StrEnum,
        message: str,
        field: str | None = None,
        *,
        locked_until: datetime | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(reason, message, field, retry_after=retry_after)
        self.locked_until = locked_until


def throttled(retry_after: int, message: str = THROTTLED_MESSAGE) -> Refused:
    return Refused(Guarded.RATE_LIMITED, message, retry_after=retry_after)


@dataclass(frozen=True)
class CodePolicy:
    """How codes are made, how long they last and how many guesses one takes."""

    secret_key: str
    code_seconds: int
    code_max_attempts: int


@dataclass(frozen=True)
class Gate:
    """What checking who someone is needs: the hasher, the guard, and the codes' and sessions' settings."""

    passwords: Passwords
    guard: Guard
    codes: CodePolicy
    sessions: SessionPolicy
    public_url: str


@dataclass(frozen=True)
class SignedIn:
    """A member who proved who they are, and their new session's token (shown once); `new_device` when
    the device had not completed a sign-in of theirs before (the caller alerts the member)."""

    member: Member
    token: str
    new_device: bool = False


@dataclass(frozen=True)
class SessionHolder:
    """A signed-in member, the session they call with, and where from (for the activity log)."""

    member: Member
    session: Session
    ip_address: str | None = None

    @property
    def claimant(self) -> Claimant:
        """Their session's device's counter (it completed a sign-in), so a stranger guessing passwords
        elsewhere cannot lock the member out of confirming it is them."""
        return Claimant.of(self.member, self.ip_address, self.session.device_id or None)

    async def record(
        self, kind: ActivityKind, summary: str, using_db: BaseDBAsyncClient | None = None
    ) -> None:
        """An activity event by the holder, from their address."""
        await activity.record(
            self.member.account_id,
            kind,
            summary,
            actor_id=self.member.id,
            ip_address=self.ip_address,
            using_db=using_db,
        )


async def check(
    guard: Guard,
    claimant: Claimant,
    secret: Secret,
    verify: Callable[[], Awaitable[bool]],
    proven: Callable[[], Awaitable[bool]] | None = None,
) -> Verdict:
    """The guard's verdict (Guard.check); refused RATE_LIMITED when the address is throttled."""
    verdict = await guard.check(claimant, secret, verify, proven)
    if verdict.retry_after is not None:
        raise throttled(verdict.retry_after)
    return verdict


def refuse_unless_accepted(verdict: Verdict, wrong: Refused) -> None:
    """Nothing when the secret was accepted; else `wrong`, or ACCOUNT_LOCKED while the member is locked."""
    if verdict.accepted:
        return
    if verdict.locked_until is not None:
        raise Refused(Guarded.ACCOUNT_LOCKED, LOCKED_MESSAGE, locked_until=verdict.locked_until)
    raise wrong


async def refuse_throttled_ip(ip_address: str | None) -> None:
    """RATE_LIMITED for an address with too many recent failed sign-ins (sign-in, reset, step-up)."""
    wait = await throttle.retry_after(ip_address)
    if wait is not None:
        raise throttled(wait)
