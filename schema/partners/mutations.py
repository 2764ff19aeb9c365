"""createApiKey and revokeApiKey: the primary (MANAGE_MEMBERS) manages the account's partner keys."""

from __future__ import annotations

import strawberry

from models.access import Permission
from models.partners import api_keys
from models.partners.errors import ApiKeyRefused
from schema.errors import refusal_error
from schema.ids import pk_of
from schema.partners.types import ApiKeyPayload, ApiKeyType, CreateApiKeyInput
from schema.permissions import Info, Requires, SteppedUp, principal_of
from schema.security.types import OkPayload, ok, refused

MANAGE_MEMBERS = Requires(Permission.MANAGE_MEMBERS)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS, SteppedUp])
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> ApiKeyPayload:
        principal = principal_of(info)
        try:
            key, secret = await api_keys.create(
                principal.member,
                principal.permissions,
                input.name,
                input.permissions,
                ip_address=info.context.client.ip_address,
            )
        except ApiKeyRefused as refusal:
            return ApiKeyPayload(errors=[refusal_error(refusal)])
        return ApiKeyPayload(api_key=ApiKeyType(model=key), secret=secret)

    @strawberry.mutation(permission_classes=[MANAGE_MEMBERS])
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> OkPayload:
        principal = principal_of(info)
        pk = pk_of(str(id), "ApiKey")
        try:
            await api_keys.revoke(principal.member, pk, ip_address=info.context.client.ip_address)
        except ApiKeyRefused as refusal:
            return refused(refusal_error(refusal))
        return ok()
