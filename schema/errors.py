"""Error codes, the UserError payload type, and the GraphQL errors for auth, permission and step-up."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import strawberry
from graphql import GraphQLError

from models.errors import Refused


class ErrorCode(StrEnum):
    """The UserError codes the contract fixes: every domain refusal's reason (models/<domain>/errors.py,
    mapped by refusal_error; tests/schema/test_error_codes.py holds them to it) and the schema's own."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_CODE = "INVALID_CODE"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_USERNAME = "INVALID_USERNAME"
    USERNAME_TAKEN = "USERNAME_TAKEN"
    INVALID_EMAIL = "INVALID_EMAIL"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_PHONE = "INVALID_PHONE"
    WRONG_SECURITY_ANSWER = "WRONG_SECURITY_ANSWER"
    INVALID_PERMISSION = "INVALID_PERMISSION"
    INVALID_ROLE = "INVALID_ROLE"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_STATUS = "INVALID_STATUS"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
    INVALID_CHANNEL = "INVALID_CHANNEL"
    TOTP_ALREADY_ENABLED = "TOTP_ALREADY_ENABLED"
    TOTP_NOT_ENROLLED = "TOTP_NOT_ENROLLED"
    RECOVERY_CODE_REQUIRED = "RECOVERY_CODE_REQUIRED"
    INVALID_PASSKEY = "INVALID_PASSKEY"
    INVALID_PAYMENT_TOKEN = "INVALID_PAYMENT_TOKEN"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    NOTHING_TO_PAY = "NOTHING_TO_PAY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    PAYMENT_METHOD_IN_USE = "PAYMENT_METHOD_IN_USE"
    PAYMENTS_UNAVAILABLE = "PAYMENTS_UNAVAILABLE"
    INVALID_TIME = "INVALID_TIME"
    TOO_MANY_APPOINTMENTS = "TOO_MANY_APPOINTMENTS"
    WINDOW_TAKEN = "WINDOW_TAKEN"


class RequestErrorCode(StrEnum):
    """Codes of GraphQL errors (not payload errors)."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    STEP_UP_REQUIRED = "STEP_UP_REQUIRED"
    RATE_LIMITED = "RATE_LIMITED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    BAD_REQUEST = "BAD_REQUEST"
    INTERNAL = "INTERNAL"
    # The database or Redis did not answer in time (HTTP 503 with Retry-After): try again shortly.
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


@strawberry.type
class UserError:
    code: str
    field: str | None
    message: str


def user_error(code: ErrorCode, message: str, field: str | None = None) -> UserError:
    return UserError(code=code.value, field=field, message=message)


def refusal_error(refused: Refused) -> UserError:
    """The one mapping of a domain operation's refusal: the UserError whose code is its reason's name;
    a refusal to wait is the GraphQL error RATE_LIMITED instead (raised)."""
    if refused.retry_after is not None:
        raise rate_limited(refused.retry_after, refused.message) from None
    return user_error(ErrorCode(refused.reason.value), refused.message, refused.field)


class ApiError(GraphQLError):
    """An expected GraphQL error: shown to the client as it is, with `extensions.code`."""

    def __init__(self, code: RequestErrorCode, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})
        self.code = code


def unauthenticated() -> ApiError:
    return ApiError(RequestErrorCode.UNAUTHENTICATED, "Sign in to do this.")


def step_up_required() -> ApiError:
    return ApiError(
        RequestErrorCode.STEP_UP_REQUIRED,
        "Confirm it is you first: request a code with requestStepUpCode and enter it with verifyStepUp.",
    )


def rate_limited(retry_after: int, what: str = "Too many failed attempts from your network.") -> ApiError:
    return ApiError(
        RequestErrorCode.RATE_LIMITED, f"{what} Try again in {retry_after} seconds.", retryAfter=retry_after
    )


def bad_input(message: str) -> ApiError:
    return ApiError(RequestErrorCode.BAD_USER_INPUT, message)
