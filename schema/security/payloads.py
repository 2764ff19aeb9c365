"""What the security operations' outcomes and refusals answer as payloads."""

from __future__ import annotations

import strawberry

from models.security.attempts import Refused, SignedIn
from models.security.challenges import IssuedChallenge
from schema.context import Context
from schema.errors import refusal_error
from schema.ids import to_global_id
from schema.members.types import MemberType
from schema.security.sessions import set_session_cookies
from schema.security.types import Challenge, OkPayload, SignInPayload, StepUpPayload, refused


def signed_in(context: Context, signed: SignedIn) -> SignInPayload:
    """The new session's token, in the payload (once) and in the session cookies."""
    set_session_cookies(context, signed.token)
    return SignInPayload(token=signed.token, member=MemberType(model=signed.member, signed_in_now=True))


def challenge_of(issued: IssuedChallenge) -> Challenge:
    challenge_id = strawberry.ID(to_global_id("Challenge", issued.id))
    return Challenge(id=challenge_id, channels=issued.channels, sent_to=issued.sent_to)


def refused_sign_in(refusal: Refused) -> SignInPayload:
    return SignInPayload(locked_until=refusal.locked_until, errors=[refusal_error(refusal)])


def refused_ok(refusal: Refused) -> OkPayload:
    return refused(refusal_error(refusal))


def refused_step_up(refusal: Refused) -> StepUpPayload:
    return StepUpPayload(errors=[refusal_error(refusal)])
