"""The one guard in front of every secret a caller supplies: a password, a current password, a sign-in,
step-up, contact or two-factor set-up code, a recovery code, a passkey's assertion, a security answer, a
texted reset code (and the username an activation link tries, which would otherwise tell which usernames
exist).

Every check goes through `Guard.check`, so every caller gets the same limits:
- refused while the caller's IP address is throttled (models/security/throttle.py);
- counted on the member's lockout counter before the secret is checked, and refused while it is
  locked (models/security/lockout.py), so parallel guesses never get more than the threshold's worth;
- a wrong secret is recorded for the IP address and in the account's activity log, and the one that
  reaches the threshold locks the member and e-mails the self-unlock link.
The recovery secrets (a reset's security answer, texted code and recovery code) are the way out of a
lock: they are checked while the member is locked, and still counted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityEvent, ActivityKind
from models.members.models import Member
from models.security import throttle
from models.security.lockout import (
    Locked,
    LockoutPolicy,
    Reservation,
    announce_lock,
    announce_reserved_lock,
    release,
    reserve,
    throttle_key,
)


class Secret(StrEnum):
    PASSWORD = "password"
    CURRENT_PASSWORD = "current password"
    SIGN_IN_CODE = "sign-in code"
    STEP_UP_CODE = "step-up code"
    CONTACT_CODE = "contact change code"
    TOTP_SETUP_CODE = "two-factor set-up code"
    SECURITY_ANSWER = "security answer"
    RESET_CODE = "reset code"
    USERNAME = "username"
    RECOVERY_CODE = "recovery code"
    RESET_RECOVERY_CODE = "reset's recovery code"
    PASSKEY = "passkey"


# What a wrong one of each is called in the activity log: its kind and a sentence ({who} is the login).
_FAILURE_LOG: dict[Secret, tuple[ActivityKind, str]] = {
    Secret.PASSWORD: (ActivityKind.SIGN_IN_FAILED, "Failed sign-in for {who}"),
    Secret.CURRENT_PASSWORD: (
        ActivityKind.PASSWORD_CHANGE_FAILED,
        "A password change gave the wrong current password",
    ),
    Secret.SIGN_IN_CODE: (
        ActivityKind.SIGN_IN_CHALLENGE_FAILED,
        "A wrong code was given to finish signing in as {who}",
    ),
    Secret.STEP_UP_CODE: (ActivityKind.STEP_UP_FAILED, "A wrong, expired or used step-up code was entered"),
    Secret.CONTACT_CODE: (
        ActivityKind.CONTACT_CHANGE_FAILED,
        "A wrong code was given to confirm a new e-mail or phone",
    ),
    Secret.TOTP_SETUP_CODE: (
        ActivityKind.TOTP_CONFIRM_FAILED,
        "A wrong code was given to turn on two-factor sign-in",
    ),
    Secret.SECURITY_ANSWER: (
        ActivityKind.PASSWORD_RESET_FAILED,
        "A password reset for {who} gave a wrong security answer",
    ),
    Secret.RESET_CODE: (
        ActivityKind.PASSWORD_RESET_FAILED,
        "A password reset for {who} gave a wrong texted code",
    ),
    Secret.USERNAME: (
        ActivityKind.ACTIVATION_FAILED,
        "An activation link asked for a username that is taken",
    ),
    Secret.RECOVERY_CODE: (
        ActivityKind.RECOVERY_CODE_FAILED,
        "A wrong or used recovery code was given for {who}",
    ),
    Secret.RESET_RECOVERY_CODE: (
        ActivityKind.RECOVERY_CODE_FAILED,
        "A password reset for {who} gave a wrong or used recovery code",
    ),
    Secret.PASSKEY: (ActivityKind.PASSKEY_FAILED, "A passkey sign-in or step-up as {who} failed"),
}
RECOVERY = frozenset({Secret.SECURITY_ANSWER, Secret.RESET_CODE, Secret.RESET_RECOVERY_CODE})


@dataclass(frozen=True)
class Claimant:
    """Who is trying: the lockout counter the attempt counts on, the member it belongs to (None for a
    login nobody has: a phantom counter), whether it is one familiar device's, and the IP address."""

    key: str
    member: Member | None
    ip_address: str | None
    familiar: bool = False

    @classmethod
    def of(cls, member: Member, ip_address: str | None, familiar_device_id: str | None = None) -> Claimant:
        """The member-wide counter, or a familiar device's (a session's device completed a sign-in)."""
        if member.username is None:
            return cls(key=f"m:{member.id}", member=member, ip_address=ip_address)
        key = throttle_key(member.username, familiar_device_id)
        return cls(key=key, member=member, ip_address=ip_address, familiar=familiar_device_id is not None)

    @classmethod
    def of_login(
        cls, login: str, holder: Member | None, ip_address: str | None, familiar_device_id: str | None = None
    ) -> Claimant:
        """A sign-in's counter: the typed login's folded form, whoever holds it (or nobody)."""
        key = throttle_key(login, familiar_device_id)
        return cls(key=key, member=holder, ip_address=ip_address, familiar=familiar_device_id is not None)


@dataclass(frozen=True)
class Verdict:
    """accepted, or why not: wrong, locked (until when), or the IP address throttled (for how long)."""

    accepted: bool
    locked_until: datetime | None = None
    retry_after: int | None = None


ACCEPTED = Verdict(accepted=True)
WRONG = Verdict(accepted=False)


@dataclass(frozen=True)
class Guard:
    policy: LockoutPolicy
    public_url: str

    async def check(
        self,
        claimant: Claimant,
        secret: Secret,
        verify: Callable[[], Awaitable[bool]],
        proven: Callable[[], Awaitable[bool]] | None = None,
    ) -> Verdict:
        """Run `verify` (which checks the secret) under the limits; its answer, or why it did not run.

        A right secret resets the member's failure count, unless `proven` (asked only then) says a
        further factor must follow: a right password before a sign-in challenge gives back its own
        count only, so a fresh challenge never wipes the wrong codes of the earlier ones."""
        wait = await throttle.retry_after(claimant.ip_address)
        if wait is not None:
            return Verdict(accepted=False, retry_after=wait)
        reserved = await reserve(claimant.key, self.policy)
        reservation = reserved if isinstance(reserved, Reservation) else None
        if isinstance(reserved, Locked) and secret not in RECOVERY:
            return Verdict(accepted=False, locked_until=reserved.until)
        if await verify():
            clear = True if proven is None else await proven()
            still_locked = await release(reservation, clear=clear) if reservation is not None else None
            if still_locked is not None and secret not in RECOVERY:
                return Verdict(accepted=False, locked_until=still_locked)
            return ACCEPTED
        just_locked = announce_reserved_lock(reservation) if reservation is not None else None
        await self._record_failure(claimant, secret)
        member = claimant.member
        if just_locked is not None and member is not None and member.username is not None:
            await announce_lock(member, just_locked, claimant.familiar, self.public_url, claimant.ip_address)
        if just_locked is not None and secret not in RECOVERY:
            return Verdict(accepted=False, locked_until=just_locked)
        return WRONG

    async def _record_failure(self, claimant: Claimant, secret: Secret) -> None:
        """The address's failure and the member's activity row, in one commit."""
        member = claimant.member
        kind, sentence = _FAILURE_LOG[secret]
        async with in_transaction() as connection:
            await throttle.record_failure(claimant.ip_address, using_db=connection)
            if member is not None:
                await activity.record_by(
                    member,
                    kind,
                    sentence.format(who=member.username or member.display_name),
                    ip_address=claimant.ip_address,
                    using_db=connection,
                )
            else:
                # A statement in the activity log's place, so an unknown login's answer takes as long.
                await ActivityEvent.filter(id=0).using_db(connection).update(kind=kind)
