"""Sign-in, activation, "this wasn't me" and self-unlock: adapters of models/sign_in.py and the operations
of models/security/ (a signed-in member's sessions, step-up and password: schema/security/signed_in.py)."""

from __future__ import annotations

import strawberry

from models import sign_in as signing_in
from models.security.activation import Activation, activate
from models.security.attempts import Refused
from models.security.unlock import unlock_with_link
from schema.ids import pk_of
from schema.node import given
from schema.permissions import Info
from schema.security.guarded import gate_of
from schema.security.payloads import challenge_of, refused_ok, refused_sign_in, signed_in
from schema.security.sessions import clear_session_cookies, device_of
from schema.security.types import (
    ActivateMemberInput,
    OkPayload,
    SignInInput,
    SignInPayload,
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

    @strawberry.mutation(
        description="Answer a sign-in challenge with the e-mailed/SMS code, a TOTP code or a recovery code."
    )
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
