"""Sign-in, activation, sessions, step-up and password change: adapters of models/sign_in.py and the
operations of models/security/."""

from __future__ import annotations

import strawberry

from models import sign_in as signing_in
from models.members.models import Channel
from models.security import step_up
from models.security.activation import Activation, activate
from models.security.attempts import Refused
from models.security.password_change import PasswordChange, change_password
from models.security.sign_out import revoke_session, sign_out, sign_out_everywhere
from models.security.unlock import unlock_with_link
from schema.enums import ChannelEnum
from schema.ids import pk_of
from schema.members.types import SessionType
from schema.node import given
from schema.permissions import Info, IsMember
from schema.security.guarded import codes_of, gate_of, holder_of
from schema.security.payloads import (
    challenge_of,
    refused_ok,
    refused_sign_in,
    refused_step_up,
    signed_in,
)
from schema.security.sessions import clear_session_cookies, device_of
from schema.security.types import (
    ActivateMemberInput,
    ChangePasswordInput,
    OkPayload,
    SignInInput,
    SignInPayload,
    StepUpPayload,
    VerifySignInInput,
    ok,
)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        context = info.context
        async with context.passwords.admitted():
            device_id = device_of(context, given(input.device_id))
            login = signing_in.Login(input.username, input.password, device_id)
            try:
                outcome = await signing_in.sign_in(gate_of(context), login, context.client)
            except Refused as refusal:
                return refused_sign_in(refusal)
        if isinstance(outcome, signing_in.Challenged):
            return SignInPayload(challenge=challenge_of(outcome.challenge))
        return signed_in(context, outcome)

    @strawberry.mutation(description="Answer a sign-in challenge with the e-mailed/SMS code or a TOTP code.")
    async def verify_sign_in(self, info: Info, input: VerifySignInInput) -> SignInPayload:
        context, challenge_pk = info.context, pk_of(str(input.challenge_id), "Challenge")
        try:
            signed = await signing_in.verify_sign_in(
                gate_of(context), challenge_pk, input.code, context.client
            )
        except Refused as refusal:
            return refused_sign_in(refusal)
        return signed_in(context, signed)

    @strawberry.mutation(description='"This wasn\'t me": revoke all sessions, lock until a password reset.')
    async def secure_account(self, info: Info, token: str) -> OkPayload:
        try:
            await signing_in.secure_account(token, info.context.client.ip_address)
        except Refused as refusal:
            return refused_ok(refusal)
        clear_session_cookies(info.context)
        return ok()

    @strawberry.mutation
    async def activate_member(self, info: Info, input: ActivateMemberInput) -> SignInPayload:
        context = info.context
        activation = Activation(
            input.token, input.username, input.password, input.security_question, input.security_answer
        )
        try:
            activated = await activate(gate_of(context), activation, given(input.device_id), context.client)
        except Refused as refusal:
            return refused_sign_in(refusal)
        return signed_in(context, activated)

    @strawberry.mutation(description="Self-unlock link from the lockout e-mail.")
    async def unlock_member(self, info: Info, token: str) -> OkPayload:
        try:
            await unlock_with_link(token, info.context.client.ip_address)
        except Refused as refusal:
            return refused_ok(refusal)
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def sign_out(self, info: Info) -> OkPayload:
        await sign_out(holder_of(info.context))
        clear_session_cookies(info.context)
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def revoke_session(self, info: Info, id: strawberry.ID) -> OkPayload:
        holder, pk = holder_of(info.context), pk_of(str(id), "Session")
        try:
            await revoke_session(holder, pk)
        except Refused as refusal:
            return refused_ok(refusal)
        if pk == holder.session.id:
            clear_session_cookies(info.context)
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def sign_out_everywhere(self, info: Info) -> OkPayload:
        await sign_out_everywhere(holder_of(info.context))
        clear_session_cookies(info.context)
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def request_step_up_code(
        self, info: Info, channel: ChannelEnum | None = Channel.EMAIL
    ) -> StepUpPayload:
        context = info.context
        try:
            sent = await step_up.request_code(holder_of(context), channel or Channel.EMAIL, codes_of(context))
        except Refused as refusal:
            return refused_step_up(refusal)
        return StepUpPayload(challenge=challenge_of(sent))

    @strawberry.mutation(permission_classes=[IsMember])
    async def verify_step_up(self, info: Info, code: str) -> StepUpPayload:
        context = info.context
        try:
            session = await step_up.verify(
                holder_of(context), code, gate_of(context), context.settings.step_up_seconds
            )
        except Refused as refusal:
            return refused_step_up(refusal)
        return StepUpPayload(session=SessionType(model=session, current_session_id=session.id))

    @strawberry.mutation(permission_classes=[IsMember])
    async def change_password(self, info: Info, input: ChangePasswordInput) -> OkPayload:
        context, change = info.context, PasswordChange(input.current_password, input.new_password)
        async with context.passwords.admitted():  # a credential check: admitted as signIn's are
            try:
                await change_password(holder_of(context), change, gate_of(context))
            except Refused as refusal:
                return refused_ok(refusal)
        return ok()
