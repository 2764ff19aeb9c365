"""Members of an account, their extra permission grants and their notification preferences."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.access import Permission, Role, effective_permissions, holds_grants
from models.db.prepared import PreparedQuery

if TYPE_CHECKING:
    from models.accounts.models import Account

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{3,32}")
NOTIFICATION_TOPICS = ("billing", "serviceChanges", "outages", "security")


class MemberStatus(StrEnum):
    INVITED = "INVITED"
    ACTIVE = "ACTIVE"
    LOCKED = "LOCKED"
    DISABLED = "DISABLED"


class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


def default_notification_preferences() -> dict[str, list[str]]:
    return {topic: [Channel.EMAIL.value] for topic in NOTIFICATION_TOPICS}


class Member(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="members", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    role = fields.CharEnumField(Role, max_length=16)
    status = fields.CharEnumField(MemberStatus, max_length=16, default=MemberStatus.INVITED)
    username = fields.CharField(max_length=32, null=True)
    # Unique ignoring case: the folded form carries the constraint, the chosen form is matched at sign-in.
    username_folded = fields.CharField(max_length=32, null=True, unique=True)
    display_name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254)
    phone = fields.CharField(max_length=20, null=True)
    phone_confirmed = fields.BooleanField(default=False)
    pending_email = fields.CharField(max_length=254, null=True)
    pending_phone = fields.CharField(max_length=20, null=True)
    password_hash = fields.CharField(max_length=255, null=True)
    security_question = fields.CharField(max_length=200, null=True)
    security_answer_hash = fields.CharField(max_length=255, null=True)
    notification_preferences: dict[str, Any] = fields.JSONField(default=default_notification_preferences)
    last_sign_in_at = fields.DatetimeField(null=True)
    locked_until = fields.DatetimeField(null=True)
    totp_secret = fields.CharField(max_length=64, null=True)
    totp_enabled_at = fields.DatetimeField(null=True)
    # The last 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_step = fields.BigIntField(null=True)
    removed_at = fields.DatetimeField(null=True)
    password_changed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    grants: fields.ReverseRelation[PermissionGrant]

    class Meta:
        table = "member"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def status_enum(self) -> MemberStatus:
        return MemberStatus(self.status)

    def status_at(self, now: datetime) -> MemberStatus:
        """The stored status, shown as LOCKED while a lockout runs."""
        status = MemberStatus(self.status)
        if status is MemberStatus.ACTIVE and self.locked_until is not None and now < self.locked_until:
            return MemberStatus.LOCKED
        return status


class PermissionGrant(Model):
    """An extra permission the primary granted a member beyond the role's defaults."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name="grants", on_delete=fields.CASCADE, db_index=True
    )
    member_id: int
    permission = fields.CharEnumField(Permission, max_length=32)

    class Meta:
        table = "permission_grant"
        unique_together = (("member", "permission"),)


async def member_permissions(member: Member) -> frozenset[Permission]:
    """What the member may do now: the role's defaults and their grants, read from the one table."""
    role = member.role_enum
    grants: list[Permission] = []
    if holds_grants(role):
        rows = await PermissionGrant.filter(member_id=member.id).values_list("permission", flat=True)
        grants = [Permission(str(row)) for row in rows]
    return effective_permissions(role, grants)


def fold_username(username: str) -> str:
    return username.casefold()


# Every sign-in looks its member up: SQL built once (models/db/prepared.py).
_MEMBER_BY_FOLDED_USERNAME = PreparedQuery(
    Member, lambda folded: Member.filter(username_folded=folded).limit(1)
)


async def holder_of(username: str) -> Member | None:
    """The member whose username is `username` ignoring case: the one its failures count for."""
    if not USERNAME_PATTERN.fullmatch(username):
        return None
    found = await _MEMBER_BY_FOLDED_USERNAME.fetch(fold_username(username))
    return found[0] if found else None


async def member_for_username(username: str) -> Member | None:
    """The member whose username is exactly `username` (credentials are case-sensitive)."""
    member = await holder_of(username)
    return member if member is not None and member.username == username else None


async def email_in_use(
    account_id: int, email: str, *, other_than: int | None = None, using_db: BaseDBAsyncClient | None = None
) -> bool:
    """Whether someone on the account (not removed, other than `other_than`) uses `email`, ignoring case:
    one address a person on an account, so an invitation or a reset names one member."""
    query = Member.filter(account_id=account_id, removed_at=None, email__iexact=email)
    if other_than is not None:
        query = query.exclude(id=other_than)
    return await (query.using_db(using_db) if using_db else query).exists()
