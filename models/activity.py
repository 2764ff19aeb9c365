"""The account's activity and security log."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts.models import Account
    from models.members.models import Member


class ActivityKind(StrEnum):
    """What an activity event records; stored (and shown to clients) as its name."""

    ACCOUNT_CREATED = "ACCOUNT_CREATED"
    ACCOUNT_SECURED = "ACCOUNT_SECURED"
    ACCOUNT_UPDATED = "ACCOUNT_UPDATED"
    ACTIVATION_FAILED = "ACTIVATION_FAILED"
    API_KEY_CREATED = "API_KEY_CREATED"
    API_KEY_REVOKED = "API_KEY_REVOKED"
    APPOINTMENT_CANCELLED = "APPOINTMENT_CANCELLED"
    APPOINTMENT_SCHEDULED = "APPOINTMENT_SCHEDULED"
    AUTOPAY_CANCELLED = "AUTOPAY_CANCELLED"
    AUTOPAY_ENROLLED = "AUTOPAY_ENROLLED"
    CONTACT_CHANGED = "CONTACT_CHANGED"
    CONTACT_CHANGE_FAILED = "CONTACT_CHANGE_FAILED"
    CONTACT_CHANGE_REQUESTED = "CONTACT_CHANGE_REQUESTED"
    MEMBER_ACCESS_CHANGED = "MEMBER_ACCESS_CHANGED"
    MEMBER_ACTIVATED = "MEMBER_ACTIVATED"
    MEMBER_INVITATION_RESENT = "MEMBER_INVITATION_RESENT"
    MEMBER_INVITED = "MEMBER_INVITED"
    MEMBER_LOCKED = "MEMBER_LOCKED"
    MEMBER_REMOVED = "MEMBER_REMOVED"
    MEMBER_UNLOCKED = "MEMBER_UNLOCKED"
    NEW_DEVICE_ALERT = "NEW_DEVICE_ALERT"
    NOTIFICATION_PREFERENCES_UPDATED = "NOTIFICATION_PREFERENCES_UPDATED"
    OUTAGE_REPORTED = "OUTAGE_REPORTED"
    PASSKEY_ADDED = "PASSKEY_ADDED"
    PASSKEY_COUNTER_WENT_BACK = "PASSKEY_COUNTER_WENT_BACK"
    PASSKEY_FAILED = "PASSKEY_FAILED"
    PASSKEY_REMOVED = "PASSKEY_REMOVED"
    PASSKEY_RENAMED = "PASSKEY_RENAMED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    PASSWORD_CHANGE_FAILED = "PASSWORD_CHANGE_FAILED"
    PASSWORD_RESET = "PASSWORD_RESET"
    PASSWORD_RESET_FAILED = "PASSWORD_RESET_FAILED"
    PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_METHOD_ADDED = "PAYMENT_METHOD_ADDED"
    PAYMENT_METHOD_DEFAULT = "PAYMENT_METHOD_DEFAULT"
    PAYMENT_METHOD_REMOVED = "PAYMENT_METHOD_REMOVED"
    PAYMENT_SUCCEEDED = "PAYMENT_SUCCEEDED"
    PRIMARY_TRANSFERRED = "PRIMARY_TRANSFERRED"
    PROFILE_UPDATED = "PROFILE_UPDATED"
    RECOVERY_CODES_GENERATED = "RECOVERY_CODES_GENERATED"
    RECOVERY_CODE_FAILED = "RECOVERY_CODE_FAILED"
    RECOVERY_CODE_USED = "RECOVERY_CODE_USED"
    SESSION_REVOKED = "SESSION_REVOKED"
    SIGNED_OUT_EVERYWHERE = "SIGNED_OUT_EVERYWHERE"
    SIGN_IN = "SIGN_IN"
    SIGN_IN_CHALLENGED = "SIGN_IN_CHALLENGED"
    SIGN_IN_CHALLENGE_FAILED = "SIGN_IN_CHALLENGE_FAILED"
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    SIGN_OUT = "SIGN_OUT"
    STATEMENT_ISSUED = "STATEMENT_ISSUED"
    STEP_UP_FAILED = "STEP_UP_FAILED"
    STEP_UP_REQUESTED = "STEP_UP_REQUESTED"
    STEP_UP_VERIFIED = "STEP_UP_VERIFIED"
    TOTP_CONFIRM_FAILED = "TOTP_CONFIRM_FAILED"
    TOTP_DISABLED = "TOTP_DISABLED"
    TOTP_ENABLED = "TOTP_ENABLED"
    TOTP_ENROLLMENT_STARTED = "TOTP_ENROLLMENT_STARTED"


class ActivityEvent(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="activity", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    actor: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    actor_id: int | None
    kind = fields.CharField(max_length=40)
    summary = fields.CharField(max_length=500)
    ip_address = fields.CharField(max_length=45, null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activity_event"


async def record(
    account_id: int,
    kind: ActivityKind,
    summary: str,
    *,
    actor_id: int | None = None,
    ip_address: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> ActivityEvent:
    """Log one event of the account; pass `using_db` to commit it with the change it describes."""
    return await ActivityEvent.create(
        account_id=account_id,
        actor_id=actor_id,
        kind=kind,
        summary=summary[:500],
        ip_address=ip_address,
        using_db=using_db,
    )


async def record_by(
    member: Member,
    kind: ActivityKind,
    summary: str,
    *,
    ip_address: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> ActivityEvent:
    """Log an event the member did themself, on their own account."""
    return await record(
        member.account_id,
        kind,
        summary,
        actor_id=member.id,
        ip_address=ip_address,
        using_db=using_db,
    )
