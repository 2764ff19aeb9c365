"""The GraphQL schema: the domains' Query and Mutation classes merged."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import AddValidationRules, DisableIntrospection, ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema.accounts.mutations import Mutation as AccountMutation
from schema.accounts.queries import Query as AccountQuery
from schema.billing.mutations import Mutation as BillingMutation
from schema.billing.queries import Query as BillingQuery
from schema.limits import MAX_COST, CostLimit, QueryLimits
from schema.members.mutations import Mutation as MemberMutation
from schema.members.profile import Mutation as ProfileMutation
from schema.partners.mutations import Mutation as PartnerMutation
from schema.security.activation import Query as ActivationQuery
from schema.security.mutations import Mutation as SecurityMutation
from schema.security.passkeys import Mutation as PasskeyMutation
from schema.security.recovery import Mutation as RecoveryMutation
from schema.security.recovery import Query as RecoveryQuery
from schema.security.recovery_codes import Mutation as RecoveryCodesMutation
from schema.security.signed_in import Mutation as SignedInMutation
from schema.security.totp import Mutation as TotpMutation
from schema.services.mutations import Mutation as ServiceMutation

Query = merge_types("Query", (AccountQuery, RecoveryQuery, ActivationQuery, BillingQuery))
Mutation = merge_types(
    "Mutation",
    (
        SecurityMutation,
        SignedInMutation,
        RecoveryMutation,
        TotpMutation,
        RecoveryCodesMutation,
        PasskeyMutation,
        MemberMutation,
        ProfileMutation,
        AccountMutation,
        BillingMutation,
        PartnerMutation,
        ServiceMutation,
    ),
)


def build_schema(*, introspection: bool = True, max_cost: int = MAX_COST) -> strawberry.Schema:
    """The schema with its query limits and the parse and validation caches; production builds it
    without introspection, and partner API keys get one with their own cost budget."""
    extensions: list[Any] = [
        lambda: AddValidationRules([QueryLimits]),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        # After validation, per request: the price depends on the variables, never cached per document.
        lambda: CostLimit(max_cost),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()
