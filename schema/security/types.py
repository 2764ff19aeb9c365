"""Payloads of sign-in, sessions and step-up."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.errors import UserError
from schema.members.types import MemberType, SessionType


@strawberry.type
class Challenge:
    id: strawberry.ID
    channels: list[str]
    sent_to: str | None


@strawberry.type
class SignInPayload:
    token: str | None = strawberry.field(
        default=None, description="Set when signed in. The token is returned only here, once."
    )
    member: MemberType | None = None
    challenge: Challenge | None = strawberry.field(
        default=None, description="Set when a second factor is needed before a session is issued."
    )
    locked_until: datetime | None = strawberry.field(default=None, description="Set with ACCOUNT_LOCKED.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OkPayload:
    ok: bool
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StepUpPayload:
    challenge: Challenge | None = None
    session: SessionType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SignInInput:
    username: str
    password: str
    device_id: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Stable id of the client device (the SPA keeps one in local storage).",
    )


@strawberry.input
class VerifySignInInput:
    challenge_id: strawberry.ID
    code: str


@strawberry.input
class ActivateMemberInput:
    token: str
    username: str
    password: str
    security_question: str
    security_answer: str
    device_id: str | None = strawberry.UNSET


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


def ok() -> OkPayload:
    return OkPayload(ok=True)


def refused(*errors: UserError) -> OkPayload:
    return OkPayload(ok=False, errors=list(errors))
