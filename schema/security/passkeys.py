"""Passkeys: register, list, rename and remove one; sign in and step up with one. Adapters of
models/security/passkeys.py and passkey_assertions.py. WebAuthn options go out and credentials come in
as the JSON of the browser's PublicKeyCredential (toJSON())."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.security import passkey_assertions, passkeys
from models.security.attempts import Refused
from models.security.models import Passkey
from models.sign_in import sign_in_with_passkey
from schema.errors import UserError, refusal_error
from schema.ids import pk_of, to_global_id
from schema.members.types import SessionType
from schema.node import given
from schema.permissions import Info, IsMember, SteppedUp
from schema.security.guarded import gate_of, holder_of, party_of
from schema.security.payloads import refused_ok, refused_sign_in, refused_step_up, signed_in
from schema.security.sessions import device_of
from schema.security.types import OkPayload, SignInPayload, StepUpPayload, ok


@strawberry.type(
    name="Passkey", description="A member's passkey, as the member themself sees it (never its key)."
)
class PasskeyType:
    model: strawberry.Private[Passkey]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Passkey", self.model.id))

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def last_used_at(self) -> datetime | None:
        return self.model.last_used_at


@strawberry.type
class PasskeyOptionsPayload:
    options: str | None = strawberry.field(
        default=None,
        description="WebAuthn options as JSON, for PublicKeyCredential.parseCreationOptionsFromJSON (or "
        "parseRequestOptionsFromJSON); their challenge works once, for 5 minutes.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PasskeyPayload:
    passkey: PasskeyType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsMember, SteppedUp],
        description="(S) Options to create a passkey: a resident key preferred, user verification required.",
    )
    async def begin_passkey_registration(self, info: Info) -> PasskeyOptionsPayload:
        try:
            options = await passkeys.begin_registration(holder_of(info.context), party_of(info.context))
        except Refused as refusal:
            return PasskeyOptionsPayload(errors=[refusal_error(refusal)])
        return PasskeyOptionsPayload(options=options)

    @strawberry.mutation(
        permission_classes=[IsMember],
        description="The new credential's JSON for this session's registration options; stores the passkey.",
    )
    async def finish_passkey_registration(self, info: Info, name: str, credential: str) -> PasskeyPayload:
        context = info.context
        try:
            passkey = await passkeys.finish_registration(
                holder_of(context), party_of(context), name, credential
            )
        except Refused as refusal:
            return PasskeyPayload(errors=[refusal_error(refusal)])
        return PasskeyPayload(passkey=PasskeyType(model=passkey))

    @strawberry.mutation(permission_classes=[IsMember, SteppedUp], description="(S)")
    async def rename_passkey(self, info: Info, id: strawberry.ID, name: str) -> PasskeyPayload:
        try:
            passkey = await passkeys.rename(holder_of(info.context), pk_of(str(id), "Passkey"), name)
        except Refused as refusal:
            return PasskeyPayload(errors=[refusal_error(refusal)])
        return PasskeyPayload(passkey=PasskeyType(model=passkey))

    @strawberry.mutation(permission_classes=[IsMember, SteppedUp], description="(S)")
    async def remove_passkey(self, info: Info, id: strawberry.ID) -> OkPayload:
        try:
            await passkeys.remove(holder_of(info.context), pk_of(str(id), "Passkey"))
        except Refused as refusal:
            return refused_ok(refusal)
        return ok()

    @strawberry.mutation(
        description="Options to sign in with a passkey: for `username`'s passkeys, or without one any "
        "discoverable passkey."
    )
    async def begin_passkey_sign_in(self, info: Info, username: str | None = None) -> PasskeyOptionsPayload:
        context = info.context
        try:
            options = await passkey_assertions.begin_sign_in(
                party_of(context), username, context.client.ip_address
            )
        except Refused as refusal:
            return PasskeyOptionsPayload(errors=[refusal_error(refusal)])
        return PasskeyOptionsPayload(options=options)

    @strawberry.mutation(
        description="The assertion's JSON: a session as signIn gives one (no challenge), already stepped up."
    )
    async def finish_passkey_sign_in(
        self, info: Info, credential: str, device_id: str | None = strawberry.UNSET
    ) -> SignInPayload:
        context = info.context
        try:
            signed = await sign_in_with_passkey(
                gate_of(context),
                party_of(context),
                credential,
                device_of(context, given(device_id)),
                context.client,
                context.settings.step_up_seconds,
            )
        except Refused as refusal:
            return refused_sign_in(refusal)
        return signed_in(context, signed)

    @strawberry.mutation(permission_classes=[IsMember], description="Options to step up with a passkey.")
    async def begin_passkey_step_up(self, info: Info) -> PasskeyOptionsPayload:
        try:
            options = await passkey_assertions.begin_step_up(holder_of(info.context), party_of(info.context))
        except Refused as refusal:
            return PasskeyOptionsPayload(errors=[refusal_error(refusal)])
        return PasskeyOptionsPayload(options=options)

    @strawberry.mutation(
        permission_classes=[IsMember], description="Step up with a passkey's assertion (as verifyStepUp)."
    )
    async def verify_step_up_with_passkey(self, info: Info, credential: str) -> StepUpPayload:
        context = info.context
        try:
            session = await passkey_assertions.finish_step_up(
                holder_of(context),
                gate_of(context),
                party_of(context),
                credential,
                context.settings.step_up_seconds,
            )
        except Refused as refusal:
            return refused_step_up(refusal)
        return StepUpPayload(session=SessionType(model=session, current_session_id=session.id))
