"""Recovery codes: ten single-use codes a member keeps on paper, for when their phone or authenticator
is gone. Each answers one sign-in challenge or step-up (through the guard, as any code), or turns
two-factor sign-in off with a password reset.

Kept as HMAC-SHA-256 under SECRET_KEY, as six-digit codes are: a code has 50 random bits, so a keyed
hash is out of reach without the key, and it lets one conditional UPDATE find and claim the code by its
hash (exactly one success per code however many requests race) where argon2's salted hashes would need a
verify per unused code on every guess."""

from __future__ import annotations

import secrets

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import activity
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.models import Member
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import email_member
from models.security.attempts import SessionHolder
from models.security.models import RecoveryCode
from models.security.tokens import hash_code

COUNT = 10
# No 0/o, 1/l/i: read off paper and typed back.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10
GROUP = 5


def new_recovery_code() -> str:
    """Ten characters in two groups of five, e.g. "k7m2p-x9qrt"."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def normal_recovery_code(text: str) -> str | None:
    """The code as stored, whatever its case, spaces and dashes; None when it is not one's shape."""
    if len(text) > 40:
        return None
    raw = text.strip().lower().replace("-", "").replace(" ", "")
    return raw if len(raw) == LENGTH and all(char in ALPHABET for char in raw) else None


def is_recovery_code(text: str) -> bool:
    """Shaped like a recovery code (never like a six-digit or TOTP code)."""
    return normal_recovery_code(text) is not None


def _hash(secret_key: str, normal: str) -> str:
    return hash_code(secret_key, f"recovery:{normal}")


async def generate(holder: SessionHolder, secret_key: str) -> list[str]:
    """A fresh set of COUNT codes, shown once; the earlier set stops working."""
    member, now = holder.member, utcnow()
    codes = [new_recovery_code() for _ in range(COUNT)]
    rows = [
        RecoveryCode(member_id=member.id, code_hash=_hash(secret_key, code.replace("-", "")), created_at=now)
        for code in codes
    ]
    async with in_transaction() as connection:
        await RecoveryCode.filter(member_id=member.id).using_db(connection).delete()
        await RecoveryCode.bulk_create(rows, using_db=connection)
        await email_member(
            member,
            messages.notice(
                member.display_name,
                "New recovery codes",
                f"A new set of {COUNT} recovery codes was made for your account; any earlier codes no "
                "longer work.",
            ),
            MessageKind.RECOVERY_CODES_GENERATED,
            using_db=connection,
        )
        await holder.record(
            ActivityKind.RECOVERY_CODES_GENERATED,
            f"{member.display_name} made a new set of recovery codes",
            using_db=connection,
        )
    return codes


async def remaining(member_id: int) -> int:
    """How many of the member's recovery codes are unused."""
    return await RecoveryCode.filter(member_id=member_id, used_at=None).count()


async def redeem(
    member: Member,
    code: str,
    secret_key: str,
    ip_address: str | None,
    *,
    using_db: BaseDBAsyncClient | None = None,
) -> bool:
    """Use the code up (one conditional UPDATE: one success however many race), e-mail the member how
    many remain, and log it; False when it is not one of their unused codes."""
    normal = normal_recovery_code(code)
    if normal is None:
        return False
    if using_db is None:
        async with in_transaction() as connection:
            return await redeem(member, code, secret_key, ip_address, using_db=connection)
    claimed = (
        await RecoveryCode.filter(member_id=member.id, code_hash=_hash(secret_key, normal), used_at=None)
        .using_db(using_db)
        .update(used_at=utcnow())
    )
    if claimed != 1:
        return False
    left = await RecoveryCode.filter(member_id=member.id, used_at=None).using_db(using_db).count()
    await email_member(
        member,
        messages.notice(
            member.display_name,
            "A recovery code was used",
            f"One of your recovery codes was just used; {left} of {COUNT} remain."
            + (" Make a new set in the portal's Security page." if left <= 2 else ""),
        ),
        MessageKind.RECOVERY_CODE_USED,
        using_db=using_db,
    )
    await activity.record_by(
        member,
        ActivityKind.RECOVERY_CODE_USED,
        f"{member.display_name} used a recovery code ({left} remain)",
        ip_address=ip_address,
        using_db=using_db,
    )
    return True
