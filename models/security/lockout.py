"""The lockout policy, in one place: consecutive failures per login (and per familiar device) lock
sign-in for LOCKOUT_SECONDS, doubling for each lock within 24 hours of the previous one, up to 24 h.

Counters are rows keyed by the folded username, not by member, so unknown usernames lock the same
way (a phantom lock) and lockout reveals nothing. A familiar device has its own row, so a stranger's
guesses cannot lock the member out of their own phone. Each change runs in a transaction holding the
row lock, so 50 parallel failures lock exactly once, at the threshold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise import connections, fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Case, F, Q, When
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import activity
from models.accounts.models import Account
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.db.prepared import PreparedQuery
from models.members.models import Member
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member
from models.security.codes import issue_link_token
from models.security.models import TokenPurpose

MAX_LOCK = timedelta(hours=24)
ESCALATION_WINDOW = timedelta(hours=24)

_lock_observers: list[Callable[[], None]] = []


def observe_locks(observer: Callable[[], None]) -> None:
    """Call `observer` once for every lock that begins, of a real member or of a phantom login alike
    (metrics count locks this way, so they tell nothing about which usernames exist). Idempotent."""
    if observer not in _lock_observers:
        _lock_observers.append(observer)


class SignInThrottle(Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=120, unique=True)
    failures = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    lock_level = fields.IntField(default=0)
    last_locked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sign_in_throttle"


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int
    lock_seconds: int


def throttle_key(username: str, familiar_device_id: str | None = None) -> str:
    """The member-wide counter, or the counter of one familiar device."""
    folded = username.casefold()[:64]
    if familiar_device_id is None:
        return f"u:{folded}"
    device = hashlib.sha256(familiar_device_id.encode()).hexdigest()[:32]
    return f"d:{folded}:{device}"


_THROTTLE_ROW = PreparedQuery(SignInThrottle, lambda key: SignInThrottle.filter(key=key).limit(1))


@dataclass(frozen=True)
class Reservation:
    """One attempt counted on a counter before its secret is checked; `locks` when that attempt reaches
    the threshold, so the counter is locked (provisionally, until the secret turns out right) at once."""

    key: str
    locks: datetime | None
    before: tuple[int, datetime | None, int, datetime | None]


@dataclass(frozen=True)
class Locked:
    until: datetime


def _is_locked(row: SignInThrottle, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


async def reserve(key: str, policy: LockoutPolicy, now: datetime | None = None) -> Reservation | Locked:
    """Count an attempt on `key` before its secret is checked, or refuse it while the key is locked.

    The count is taken under the counter's row lock, so of any number of parallel attempts at most
    `threshold` are let through to be checked; the one that reaches the threshold locks at once."""
    now = now or utcnow()
    if policy.threshold > 1 and await _count_far_from_threshold(key, policy.threshold):
        return Reservation(key=key, locks=None, before=(0, None, 0, None))
    async with in_transaction() as connection:
        # The row exists once; a concurrent first attempt's insert is ignored, and the row lock orders them.
        await SignInThrottle.bulk_create(
            [SignInThrottle(key=key)], ignore_conflicts=True, using_db=connection
        )
        row = await SignInThrottle.select_for_update().using_db(connection).get(key=key)
        if _is_locked(row, now):
            assert row.locked_until is not None
            return Locked(row.locked_until)
        # A lock that has ended is cleared (its level and time stay), so the next attempt counts in one
        # statement again.
        row.locked_until = None
        before = (row.failures, row.locked_until, row.lock_level, row.last_locked_at)
        row.failures += 1
        locks = None
        if row.failures >= policy.threshold:
            recent = row.last_locked_at is not None and now - row.last_locked_at < ESCALATION_WINDOW
            row.lock_level = row.lock_level + 1 if recent else 1
            duration = min(timedelta(seconds=policy.lock_seconds * 2 ** (row.lock_level - 1)), MAX_LOCK)
            row.locked_until = locks = now + duration
            row.last_locked_at = now
            row.failures = 0
        await row.save(using_db=connection)
    return Reservation(key=key, locks=locks, before=before)


# Count an attempt in one statement whether or not the login's counter exists yet: a login tried for
# the first time (an unknown one, say) writes one row as a known login's does, so the time it takes
# tells nobody which logins have been used before. No row comes back when the counter is locked, was
# locked (an ended lock is cleared under the row lock), or is one failure from the threshold.
_COUNT = """
INSERT INTO sign_in_throttle (key, failures, lock_level) VALUES ({key}, 1, 0)
ON CONFLICT (key) DO UPDATE SET failures = sign_in_throttle.failures + 1
WHERE sign_in_throttle.locked_until IS NULL AND sign_in_throttle.failures < {limit}
RETURNING id"""
_COUNT_SQL = {
    "postgres": _COUNT.format(key="$1", limit="$2"),
    "sqlite": _COUNT.format(key="?", limit="?"),
}


async def _count_far_from_threshold(key: str, threshold: int) -> bool:
    """Whether the attempt was counted in one statement (most are: far from the threshold, unlocked)."""
    connection = connections.get("default")
    # execute_query_dict, as execute_query gives asyncpg's INSERT no rows back, RETURNING or not.
    rows = await connection.execute_query_dict(
        _COUNT_SQL[str(connection.capabilities.dialect)], [key, threshold - 1]
    )
    return len(rows) == 1


def announce_reserved_lock(reservation: Reservation) -> datetime | None:
    """The attempt failed: a lock it took stands. Observers hear of every lock, phantom or real."""
    if reservation.locks is not None:
        for observer in _lock_observers:
            observer()
    return reservation.locks


async def release(
    reservation: Reservation, *, clear: bool = True, now: datetime | None = None
) -> datetime | None:
    """The attempt's secret was right: give its count back (undoing the lock it took itself), and with
    `clear` reset the failure count (the caller proved who they are; a step before a further factor
    does not). A lock another attempt took meanwhile stands and is returned, so no session follows it."""
    now = now or utcnow()
    if reservation.locks is None:
        # No lock of ours to undo: one conditional UPDATE, unless another attempt locked meanwhile.
        given_back = await SignInThrottle.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lte=now), key=reservation.key
        ).update(
            failures=0 if clear else Case(When(failures__gt=0, then=F("failures") - 1), default=F("failures"))
        )
        if given_back == 1:
            return None
    async with in_transaction() as connection:
        row = await SignInThrottle.select_for_update().using_db(connection).get_or_none(key=reservation.key)
        if row is None:
            return None
        undone = reservation.locks is not None and row.locked_until == reservation.locks
        if undone:
            # The state before this attempt: its own count is given back with it.
            row.failures, row.locked_until, row.lock_level, row.last_locked_at = reservation.before
        if _is_locked(row, now):
            await row.save(using_db=connection)
            return row.locked_until
        if clear:
            row.failures = 0
        elif not undone:
            row.failures = max(row.failures - 1, 0)
        await row.save(using_db=connection)
    return None


async def locked_until(key: str, now: datetime | None = None) -> datetime | None:
    """When the lock on `key` ends, or None when it is not locked."""
    now = now or utcnow()
    rows = await _THROTTLE_ROW.fetch(key)
    row = rows[0] if rows else None
    if row is None or not _is_locked(row, now):
        return None
    return row.locked_until


async def end_lock(member: Member, using_db: BaseDBAsyncClient | None = None) -> None:
    """End the member-wide lock and every device lock of the member's login (the lock level stays),
    and the lock shown on the member. The one way every unlock path ends a lock."""
    query = Member.filter(id=member.id)
    await (query.using_db(using_db) if using_db else query).update(locked_until=None)
    member.locked_until = None
    if member.username is not None:
        await unlock(member.username, using_db)


async def unlock(username: str, using_db: BaseDBAsyncClient | None = None) -> None:
    """End the member-wide lock and every device lock of this login (the lock level stays)."""
    folded = username.casefold()[:64]
    for query in (
        SignInThrottle.filter(key=f"u:{folded}"),
        SignInThrottle.filter(key__startswith=f"d:{folded}:"),
    ):
        await (query.using_db(using_db) if using_db else query).update(failures=0, locked_until=None)


async def announce_lock(
    member: Member, until: datetime, familiar: bool, public_url: str, ip_address: str | None
) -> None:
    """The lock just began: show it on the member (unless it is one device's), e-mail the self-unlock
    link, and log it, in one transaction."""
    account = await Account.get(id=member.account_id)
    until_text = until.astimezone(ZoneInfo(account.time_zone)).strftime("%H:%M %Z on %d %b %Y")
    where = "on one of your devices" if familiar else "for new devices"
    async with in_transaction() as connection:
        if not familiar:
            await Member.filter(id=member.id).using_db(connection).update(locked_until=until)
        token = await issue_link_token(
            member.id, TokenPurpose.UNLOCK, int(MAX_LOCK.total_seconds()), using_db=connection
        )
        await email_member(
            member,
            messages.lockout(public_url, member.display_name, token, until_text),
            MessageKind.LOCKOUT,
            using_db=connection,
        )
        await activity.record(
            account.id,
            ActivityKind.MEMBER_LOCKED,
            f"Sign-in for {member.username} locked {where} until {until_text}",
            actor_id=member.id,
            ip_address=ip_address,
            using_db=connection,
        )
