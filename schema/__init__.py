"""The GraphQL schema: the domains' Query and Mutation classes merged."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema.accounts.mutations import Mutation as AccountMutation
from schema.accounts.queries import Query as AccountQuery
from schema.members.mutations import Mutation as MemberMutation
from schema.members.profile import Mutation as ProfileMutation
from schema.security.mutations import Mutation as SecurityMutation
from schema.security.recovery import Mutation as RecoveryMutation
from schema.security.totp import Mutation as TotpMutation

Query = merge_types("Query", (AccountQuery,))
Mutation = merge_types(
    "Mutation",
    (SecurityMutation, RecoveryMutation, TotpMutation, MemberMutation, ProfileMutation, AccountMutation),
)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The schema with parse and validation caches; production builds it without introspection."""
    extensions: list[Any] = [lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()
