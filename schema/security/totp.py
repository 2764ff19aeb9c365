"""Two-factor sign-in with an authenticator app: enrol, confirm, disable."""

from __future__ import annotations

import strawberry

from models.security import totp
from models.security.guard import Secret
from schema.errors import ErrorCode, UserError, user_error
from schema.permissions import Info, IsMember, SteppedUp, principal_of
from schema.security.guarded import check_secret, refusal, session_claimant
from schema.security.types import OkPayload, ok, refused


@strawberry.type
class TotpEnrollmentPayload:
    secret: str | None = None
    otpauth_uri: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[IsMember, SteppedUp])
    async def enroll_totp(self, info: Info) -> TotpEnrollmentPayload:
        member = principal_of(info).member
        secret = await totp.enroll(member, ip_address=info.context.client.ip_address)
        if secret is None:
            return TotpEnrollmentPayload(
                errors=[
                    user_error(
                        ErrorCode.TOTP_ALREADY_ENABLED, "Two-factor sign-in is on already; turn it off first."
                    )
                ]
            )
        label = member.username or member.email
        return TotpEnrollmentPayload(secret=secret, otpauth_uri=totp.provisioning_uri(secret, label))

    @strawberry.mutation(permission_classes=[IsMember])
    async def confirm_totp(self, info: Info, code: str) -> OkPayload:
        member = principal_of(info).member
        if member.totp_enabled_at is not None:
            return refused(user_error(ErrorCode.TOTP_ALREADY_ENABLED, "Two-factor sign-in is on already."))
        if member.totp_secret is None:
            return refused(
                user_error(
                    ErrorCode.TOTP_NOT_ENROLLED,
                    "Set up two-factor first, then enter the code your app shows.",
                )
            )
        context = info.context

        async def verify() -> bool:
            return await totp.confirm(member, code, ip_address=context.client.ip_address)

        verdict = await check_secret(context, session_claimant(context), Secret.TOTP_SETUP_CODE, verify)
        wrong = user_error(ErrorCode.INVALID_CODE, "The code is wrong, expired or used already.", "code")
        if (error := refusal(verdict, wrong)) is not None:
            return refused(error)
        return ok()

    @strawberry.mutation(permission_classes=[IsMember, SteppedUp])
    async def disable_totp(self, info: Info) -> OkPayload:
        member = principal_of(info).member
        if not await totp.disable(member, ip_address=info.context.client.ip_address):
            return refused(user_error(ErrorCode.TOTP_NOT_ENROLLED, "Two-factor sign-in is not on."))
        return ok()
