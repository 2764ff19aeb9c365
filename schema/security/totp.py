"""Two-factor sign-in with an authenticator app: enrol, confirm, disable (models/security/totp.py)."""

from __future__ import annotations

import strawberry

from models.security import totp
from models.security.attempts import Refused
from schema.errors import UserError, refusal_error
from schema.permissions import Info, IsMember, SteppedUp
from schema.security.guarded import guard_of, holder_of
from schema.security.payloads import refused_ok
from schema.security.types import OkPayload, ok


@strawberry.type
class TotpEnrollmentPayload:
    secret: str | None = None
    otpauth_uri: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[IsMember, SteppedUp])
    async def enroll_totp(self, info: Info) -> TotpEnrollmentPayload:
        try:
            enrolment = await totp.enroll(holder_of(info.context))
        except Refused as refusal:
            return TotpEnrollmentPayload(errors=[refusal_error(refusal)])
        return TotpEnrollmentPayload(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)

    @strawberry.mutation(permission_classes=[IsMember])
    async def confirm_totp(self, info: Info, code: str) -> OkPayload:
        try:
            await totp.confirm(holder_of(info.context), code, guard_of(info.context))
        except Refused as refusal:
            return refused_ok(refusal)
        return ok()

    @strawberry.mutation(permission_classes=[IsMember, SteppedUp])
    async def disable_totp(self, info: Info) -> OkPayload:
        try:
            await totp.disable(holder_of(info.context))
        except Refused as refusal:
            return refused_ok(refusal)
        return ok()
