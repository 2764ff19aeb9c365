"""Password recovery: requestPasswordReset and resetPassword (link or SMS code, plus the security answer),
adapters of models/security/password_reset.py."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.members.models import Channel
from models.security import password_reset
from models.security.attempts import Refused
from schema.enums import ChannelEnum
from schema.node import given
from schema.permissions import Info
from schema.security.guarded import gate_of
from schema.security.payloads import refused_ok
from schema.security.types import OkPayload, ok


@strawberry.input
class RequestPasswordResetInput:
    login: str = strawberry.field(description="A username or an e-mail address.")
    channel: ChannelEnum | None = Channel.EMAIL


@strawberry.input
class ResetPasswordInput:
    token: str | None = strawberry.field(default=strawberry.UNSET, description="From the e-mailed link.")
    code: str | None = strawberry.field(default=strawberry.UNSET, description="The SMS code, with `login`.")
    login: str | None = strawberry.field(
        default=strawberry.UNSET, description="The same login the reset was requested for."
    )
    new_password: str
    security_answer: str
    recovery_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="One of the member's recovery codes, with turnOffTwoFactor."
    )
    turn_off_two_factor: bool = strawberry.field(
        default=False,
        description="Also turn two-factor sign-in off (a lost phone): needs `recoveryCode`; without one the "
        "error RECOVERY_CODE_REQUIRED says how to get help.",
    )


@strawberry.type(description="What an e-mailed password-reset link opens with.")
class PasswordResetLink:
    security_question: str = strawberry.field(description="The question the reset's answer is for.")
    expires_at: datetime


@strawberry.type
class Query:
    @strawberry.field(
        description="The reset link's security question, so the page can show it before the member types; "
        "null when the link is not valid (unknown, used, expired). Readable by whoever holds the link, as "
        "the link itself is: it names no one and checks no secret."
    )
    async def password_reset_link(self, token: str) -> PasswordResetLink | None:
        link = await password_reset.reset_link(token)
        if link is None:
            return None
        return PasswordResetLink(security_question=link.security_question, expires_at=link.expires_at)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Answers ok whether or not the login exists, in the same time: the worker sends the "
        "link or code within seconds."
    )
    async def request_password_reset(self, info: Info, input: RequestPasswordResetInput) -> OkPayload:
        try:
            await password_reset.ask_for_reset(
                input.login, input.channel or Channel.EMAIL, info.context.client.ip_address
            )
        except Refused as refusal:
            return refused_ok(refusal)
        return ok()

    @strawberry.mutation
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> OkPayload:
        context = info.context
        reset = password_reset.PasswordReset(
            given(input.token),
            given(input.code),
            given(input.login),
            input.new_password,
            input.security_answer,
            given(input.recovery_code),
            input.turn_off_two_factor,
        )
        async with context.passwords.admitted():  # a credential check: admitted as signIn's are
            try:
                await password_reset.reset_password(gate_of(context), reset, context.client.ip_address)
            except Refused as refusal:
                return refused_ok(refusal)
        return ok()
