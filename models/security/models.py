"""Sessions, one-time tokens and codes, recovery codes, passkeys and WebAuthn challenges; only hashes of
secrets are stored (a passkey's public key is no secret, and is never shown)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.members.models import Member


class Session(Model):
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name="sessions", on_delete=fields.CASCADE, db_index=True
    )
    member_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    device_id = fields.CharField(max_length=128, null=True)
    ip_address = fields.CharField(max_length=45, null=True)
    user_agent = fields.CharField(max_length=512, null=True)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    elevated_until = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"


class TokenPurpose(StrEnum):
    ACTIVATION = "ACTIVATION"
    STEP_UP = "STEP_UP"
    CONTACT_CHANGE = "CONTACT_CHANGE"
    UNLOCK = "UNLOCK"
    PASSWORD_RESET = "PASSWORD_RESET"
    SIGN_IN_CHALLENGE = "SIGN_IN_CHALLENGE"
    SECURE_ACCOUNT = "SECURE_ACCOUNT"


class OneTimeToken(Model):
    """A link token or a short code: its hash, purpose, expiry, tries and use."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name="one_time_tokens", on_delete=fields.CASCADE, db_index=True
    )
    member_id: int
    purpose = fields.CharEnumField(TokenPurpose, max_length=32)
    token_hash = fields.CharField(max_length=64, db_index=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    session_id = fields.BigIntField(null=True)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "one_time_token"


class RecoveryCode(Model):
    """One of a member's single-use recovery codes, kept as its HMAC under SECRET_KEY."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name="recovery_codes", on_delete=fields.CASCADE, db_index=True
    )
    member_id: int
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recovery_code"
        unique_together = (("member", "code_hash"),)


class Passkey(Model):
    """A member's WebAuthn credential: its id and COSE public key (base64url), sign count, transports and
    authenticator model (AAGUID), and the name the member gave it."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name="passkeys", on_delete=fields.CASCADE, db_index=True
    )
    member_id: int
    credential_id = fields.CharField(max_length=1400, unique=True)
    user_handle = fields.CharField(max_length=128)
    public_key = fields.TextField()
    sign_count = fields.BigIntField(default=0)
    transports: list[str] = fields.JSONField(default=list)
    aaguid = fields.CharField(max_length=36)
    name = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "passkey"


class PasskeyFlow(StrEnum):
    REGISTRATION = "REGISTRATION"
    SIGN_IN = "SIGN_IN"
    STEP_UP = "STEP_UP"


class WebAuthnChallenge(Model):
    """A WebAuthn challenge handed out, as its SHA-256: the flow it is for, the member (and session) it
    is bound to, and when it expires or was used (once)."""

    id = fields.BigIntField(primary_key=True)
    challenge_hash = fields.CharField(max_length=64, unique=True)
    flow = fields.CharEnumField(PasskeyFlow, max_length=16)
    member_id = fields.BigIntField(null=True)
    session_id = fields.BigIntField(null=True)
    # A username was given: only that member's passkeys answer (none when nobody has it).
    named = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webauthn_challenge"
