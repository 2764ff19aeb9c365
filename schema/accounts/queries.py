"""Query.me, Query.account, Query.node."""

from __future__ import annotations

import strawberry

from schema.accounts.types import AccountType, load_account
from schema.fastpath.prefetch import load_ahead
from schema.ids import parse_global_id
from schema.members.types import MemberType
from schema.node import Node
from schema.nodes import node_for
from schema.permissions import Info, caller_of


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in member; null when the request has no valid session.")
    def me(self, info: Info) -> MemberType | None:
        principal = info.context.principal
        return MemberType(model=principal.member) if principal else None

    @strawberry.field(description="The caller's account. UNAUTHENTICATED without a session or API key.")
    async def account(self, info: Info) -> AccountType | None:
        account = await load_account(info)
        await load_ahead(info, account.model.id)  # what the selection below will load, together
        return account

    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        """Objects of the caller's account by global ID; null for anything else or not visible."""
        caller = caller_of(info)
        parsed = parse_global_id(str(id))
        if parsed is None:
            return None
        return await node_for(info, caller, *parsed)
