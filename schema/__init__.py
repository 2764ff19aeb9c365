"""The GraphQL schema: the domains' Query and Mutation classes merged."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema.accounts.queries import Query as AccountQuery
from schema.security.mutations import Mutation as SecurityMutation

Query = merge_types("Query", (AccountQuery,))
Mutation = merge_types("Mutation", (SecurityMutation,))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)
