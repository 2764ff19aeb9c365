"""Query.me, Query.account, Query.node."""

from __future__ import annotations

import strawberry

from models.access import Permission
from schema.accounts.types import AccountType
from schema.context import Principal
from schema.errors import unauthenticated
from schema.ids import parse_global_id
from schema.members.types import MemberType
from schema.node import Node
from schema.permissions import Info, caller_of


async def load_account(info: Info) -> AccountType:
    principal = caller_of(info)
    account = await info.context.loaders.account_by_id.load(principal.account_id)
    if account is None:
        raise unauthenticated()
    return AccountType(model=account)


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in member; null when the request has no valid session.")
    def me(self, info: Info) -> MemberType | None:
        principal = info.context.principal
        return MemberType(model=principal.member) if principal else None

    @strawberry.field(description="The caller's account. UNAUTHENTICATED without a session or API key.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info)

    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        """Objects of the caller's account by global ID; null for anything else or not visible."""
        principal = caller_of(info)
        parsed = parse_global_id(str(id))
        if parsed is None:
            return None
        type_name, pk = parsed
        if type_name == "Account" and pk == principal.account_id:
            return await load_account(info)
        if type_name == "Member":
            member = await info.context.loaders.member_by_id.load(pk)
            if member is None or member.account_id != principal.account_id:  # type: ignore[attr-defined]
                return None
            is_self = isinstance(principal, Principal) and member.id == principal.member.id
            if is_self or Permission.VIEW_MEMBERS in principal.permissions:
                return MemberType(model=member)
        return None
