"""ApiKey, the input to create one, and its payload."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.access import sorted_permissions
from models.partners.api_keys import ApiKey
from schema.enums import PermissionEnum
from schema.errors import UserError
from schema.ids import to_global_id
from schema.node import Node


@strawberry.type(name="ApiKey")
class ApiKeyType(Node):
    model: strawberry.Private[ApiKey]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("ApiKey", self.model.id))

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="The first characters of the key, for recognition.")
    def prefix(self) -> str:
        return self.model.prefix

    @strawberry.field
    def permissions(self) -> list[PermissionEnum]:
        return sorted_permissions(self.model.permission_set)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def last_used_at(self) -> datetime | None:
        return self.model.last_used_at


@strawberry.input
class CreateApiKeyInput:
    name: str
    permissions: list[PermissionEnum]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKeyType | None = None
    secret: str | None = strawberry.field(default=None, description="Returned once.")
    errors: list[UserError] = strawberry.field(default_factory=list)
