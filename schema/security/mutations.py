"""Sign-in, activation, sessions, step-up and password change: adapters of models/sign_in.py and
models/security/ (activation, unlock, sign_out, step_up, password_change)."""

from __future__ import annotations

import strawberry

from models import sign_in as signing_in
from models.members.models import Channel
from models.security import step_up
from models.security.activation import Activation, activate
from models.security.attempts import Refused, SignedIn
from models.security.challenges import IssuedChallenge
from models.security.devices import invalid_device_id
from models.security.password_change import PasswordChange, change_password
from models.security.sign_out import revoke_session, sign_out, sign_out_everywhere
from models.security.unlock import unlock_with_link
from schema.context import Context
from schema.enums import ChannelEnum
from schema.errors import ErrorCode, user_error
from schema.ids import pk_of, to_global_id
from schema.members.types import MemberType, SessionType
from schema.node import given
from schema.permissions import Info, IsMember
from schema.security.guarded import codes_of, gate_of, guard_of, holder_of, refusal_error
from schema.security.sessions import clear_session_cookies, device_of, set_session_cookies
from schema.security.types import (
    ActivateMemberInput,
    Challenge,
    ChangePasswordInput,
    OkPayload,
    SignInInput,
    SignInPayload,
    StepUpPayload,
    VerifySignInInput,
    ok,
    refused,
)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        context = info.context
        if invalid_device_id(given(input.device_id)):
            return SignInPayload(
                errors=[user_error(ErrorCode.INVALID_INPUT, "deviceId is too long.", "deviceId")]
            )
        async with context.passwords.admitted():
            login = signing_in.Login(
                input.username, input.password, device_of(context, given(input.device_id))
            )
            try:
                outcome = await signing_in.sign_in(gate_of(context), login, context.client)
            except Refused as refusal:
                return refused_sign_in(refusal)
        if isinstance(outcome, signing_in.Challenged):
            return SignInPayload(challenge=challenge_of(outcome.challenge))
        return signed_in(context, outcome)

    @strawberry.mutation(description="Answer a sign-in challenge with the e-mailed/SMS code or a TOTP code.")
    async def verify_sign_in(self, info: Info, input: VerifySignInInput) -> SignInPayload:
        context = info.context
        challenge_pk = pk_of(str(input.challenge_id), "Challenge")
        try:
            answered = await signing_in.verify_sign_in(
                gate_of(context), challenge_pk, input.code, context.client
            )
        except Refused as refusal:
            return refused_sign_in(refusal)
        return signed_in(context, answered)

    @strawberry.mutation(description='"This wasn\'t me": revoke all sessions, lock until a password reset.')
    async def secure_account(self, info: Info, token: str) -> OkPayload:
        try:
            await signing_in.secure_account(token, info.context.client.ip_address)
        except Refused as refusal:
            return refused(refusal_error(refusal))
        clear_session_cookies(info.context)
        return ok()

    @strawberry.mutation
    async def activate_member(self, info: Info, input: ActivateMemberInput) -> SignInPayload:
        context = info.context
        activation = Activation(
            input.token,
            input.username,
            input.password,
            input.security_question,
            input.security_answer,
            given(input.device_id),
        )
        try:
            activated = await activate(gate_of(context), activation, context.client)
        except Refused as refusal:
            return refused_sign_in(refusal)
        return signed_in(context, activated)

    @strawberry.mutation(description="Self-unlock link from the lockout e-mail.")
    async def unlock_member(self, info: Info, token: str) -> OkPayload:
        try:
            await unlock_with_link(token, info.context.client.ip_address)
        except Refused as refusal:
            return refused(refusal_error(refusal))
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def sign_out(self, info: Info) -> OkPayload:
        await sign_out(holder_of(info.context))
        clear_session_cookies(info.context)
        return ok()

    @strawberry.mutation(permission_classes=[IsMember])
    async def revoke_session(self, info: Info, id: strawberry.ID) -> OkPayload:
        holder = holder_of(info.context)
        pk = pk_of(str(id), "Session")
        try:
            await revoke_session(holder, pk)
        except Refused as refusal:
            return refused(refusal_error(refusal))
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
            return StepUpPayload(errors=[refusal_error(refusal)])
        return StepUpPayload(challenge=challenge_of(IssuedChallenge(sent.id, sent.channels, sent.sent_to)))

    @strawberry.mutation(permission_classes=[IsMember])
    async def verify_step_up(self, info: Info, code: str) -> StepUpPayload:
        context = info.context
        seconds = context.settings.step_up_seconds
        try:
            session = await step_up.verify(
                holder_of(context), code, guard_of(context), codes_of(context), seconds
            )
        except Refused as refusal:
            return StepUpPayload(errors=[refusal_error(refusal)])
        return StepUpPayload(session=SessionType(model=session, current_session_id=session.id))

    @strawberry.mutation(permission_classes=[IsMember])
    async def change_password(self, info: Info, input: ChangePasswordInput) -> OkPayload:
        context = info.context
        change = PasswordChange(input.current_password, input.new_password)
        async with context.passwords.admitted():  # a credential check: admitted as signIn's are
            try:
                await change_password(holder_of(context), change, context.passwords, guard_of(context))
            except Refused as refusal:
                return refused(refusal_error(refusal))
        return ok()


def refused_sign_in(refusal: Refused) -> SignInPayload:
    return SignInPayload(locked_until=refusal.locked_until, errors=[refusal_error(refusal)])


def signed_in(context: Context, signed: SignedIn) -> SignInPayload:
    set_session_cookies(context, signed.token)
    return SignInPayload(token=signed.token, member=MemberType(model=signed.member, signed_in_now=True))


def challenge_of(issued: IssuedChallenge) -> Challenge:
    challenge_id = strawberry.ID(to_global_id("Challenge", issued.id))
    return Challenge(id=challenge_id, channels=issued.channels, sent_to=issued.sent_to)
