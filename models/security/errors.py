"""Why a security operation (sign-in, activation, step-up, password change or reset, sign-out, unlock,
two-factor set-up, recovery codes, passkeys) is refused; the schema shows each as the UserError code of
the same name."""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_CODE = "INVALID_CODE"
    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_USERNAME = "INVALID_USERNAME"
    USERNAME_TAKEN = "USERNAME_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CHANNEL = "INVALID_CHANNEL"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    TOTP_ALREADY_ENABLED = "TOTP_ALREADY_ENABLED"
    TOTP_NOT_ENROLLED = "TOTP_NOT_ENROLLED"
    WRONG_SECURITY_ANSWER = "WRONG_SECURITY_ANSWER"
    RECOVERY_CODE_REQUIRED = "RECOVERY_CODE_REQUIRED"
    INVALID_PASSKEY = "INVALID_PASSKEY"
