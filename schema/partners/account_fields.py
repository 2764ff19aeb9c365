"""Account.apiKeys; AccountType inherits it, so the partners domain keeps its field in its own package."""

from __future__ import annotations

import strawberry

from models.access import Permission
from models.accounts.models import Account
from schema.partners.types import ApiKeyType
from schema.permissions import Info, Requires


@strawberry.type(name="AccountPartnerFields")
class PartnerFields:
    model: strawberry.Private[Account]

    @strawberry.field(permission_classes=[Requires(Permission.MANAGE_MEMBERS)])
    async def api_keys(self, info: Info) -> list[ApiKeyType] | None:
        keys = await info.context.loaders.api_keys_by_account.load(self.model.id)
        return [ApiKeyType(model=key) for key in keys]
