"""Recovery codes: generateRecoveryCodes, an adapter of models/security/recovery_codes.py (the codes answer
verifySignIn and verifyStepUp, and resetPassword's turnOffTwoFactor)."""

from __future__ import annotations

import strawberry

from models.security import recovery_codes
from schema.errors import UserError
from schema.permissions import Info, IsMember, SteppedUp
from schema.security.guarded import holder_of


@strawberry.type
class RecoveryCodesPayload:
    codes: list[str] | None = strawberry.field(
        default=None,
        description="The new codes, shown only here, once; each answers one sign-in challenge or step-up.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsMember, SteppedUp],
        description="(S) Ten new single-use recovery codes for the signed-in member; any earlier set stops "
        "working.",
    )
    async def generate_recovery_codes(self, info: Info) -> RecoveryCodesPayload:
        context = info.context
        codes = await recovery_codes.generate(holder_of(context), context.settings.secret_key)
        return RecoveryCodesPayload(codes=codes)
