"""What a signed-in member does with their own sessions and password: sign out (one session or all),
step up, change the password; adapters of the operations of models/security/."""

from __future__ import annotations

import strawberry

from models.members.models import Channel
from models.security import step_up
from models.security.attempts import Refused
from models.security.password_change import PasswordChange, change_password
from models.security.sign_out import revoke_session, sign_out, sign_out_everywhere
from schema.enums import ChannelEnum
from schema.ids import pk_of
from schema.members.types import SessionType
from schema.permissions import Info, IsMember
from schema.security.guarded import codes_of, gate_of, holder_of
from schema.security.payloads import challenge_of, refused_ok, refused_step_up
from schema.security.sessions import clear_session_cookies
from schema.security.types import ChangePasswordInput, OkPayload, StepUpPayload, ok


@strawberry.type
class Mutation:
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

    @strawberry.mutation(
        permission_classes=[IsMember],
        description="Accepts an e-mailed/SMS code, a TOTP code or a recovery code (each used once).",
    )
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
