"""Account and Address types."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import OperationType

from models.access import Permission
from models.accounts.models import Account
from schema.accounts.activity import ActivityConnection, ActivityEdge, ActivityEventType
from schema.batches import PageKey
from schema.billing.account_fields import BillingFields
from schema.context import Principal
from schema.errors import unauthenticated
from schema.fastpath.eagerly import MaybeAwaitable, eagerly
from schema.ids import to_global_id
from schema.members.types import GRANTS, MEMBERS, MEMBERS_PAGE, MemberConnection, MemberEdge, MemberType
from schema.node import Node, cursor_for, page_arguments, page_info
from schema.partners.account_fields import PartnerFields
from schema.permissions import Info, IsCaller, IsMember, Requires, caller_of
from schema.services.account_fields import ServiceFields


@strawberry.type(name="Address")
class AddressType:
    line1: str
    line2: str | None
    city: str
    region: str
    postal_code: str
    country: str

    @classmethod
    def from_model(cls, address: dict[str, Any]) -> AddressType:
        return cls(
            line1=address["line1"],
            line2=address.get("line2"),
            city=address["city"],
            region=address["region"],
            postal_code=address["postalCode"],
            country=address["country"],
        )


@strawberry.type(name="Account")
class AccountType(BillingFields, PartnerFields, ServiceFields, Node):
    model: strawberry.Private[Account]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Account", self.model.id))

    @strawberry.field(permission_classes=[IsCaller])
    def number(self) -> str:
        return self.model.number

    @strawberry.field(permission_classes=[IsCaller])
    def name(self) -> str:
        return self.model.name

    @strawberry.field(permission_classes=[IsCaller])
    def service_address(self) -> AddressType | None:
        address = self.model.service_address
        return AddressType.from_model(address) if address else None

    @strawberry.field(permission_classes=[IsCaller])
    def time_zone(self) -> str:
        return self.model.time_zone

    @strawberry.field(permission_classes=[Requires(Permission.MANAGE_ACCOUNT)])
    def contact_email(self) -> str | None:
        return self.model.contact_email

    @strawberry.field(permission_classes=[IsMember])
    async def primary(self, info: Info) -> MemberType:
        member = await info.context.loaders.primary_by_account.load(self.model.id)
        if member is None:
            raise unauthenticated()
        return MemberType(model=member)

    @MEMBERS.field(graphql_type=MemberConnection | None)
    def members(
        self, info: Info, first: int | None = MEMBERS_PAGE, after: str | None = strawberry.UNSET
    ) -> MaybeAwaitable[MemberConnection | None]:
        return eagerly(self._members(info, first, after))  # see schema/fastpath/prefetch.py

    async def _members(self, info: Info, first: int | None, after: str | None) -> MemberConnection:
        page = await MEMBERS.load(info, self.model.id, first=first, after=after)
        await GRANTS.load_rows(info, page.rows, *MEMBERS.rows_at)  # one query for the page
        edges = [MemberEdge(node=MemberType(model=m), cursor=cursor_for(m.id)) for m in page.rows]
        return MemberConnection(
            edges=edges,
            page_info=page_info(edges, page.has_next),
            account_id=self.model.id,
        )

    @strawberry.field(permission_classes=[Requires(Permission.VIEW_ACTIVITY)])
    async def activity(
        self, info: Info, first: int | None = 20, after: str | None = strawberry.UNSET
    ) -> ActivityConnection | None:
        first, after_id = page_arguments(first, after, default=20)
        page = await info.context.loaders.activity_page.load(PageKey(self.model.id, first, after_id))
        edges = [ActivityEdge(node=ActivityEventType(model=e), cursor=cursor_for(e.id)) for e in page.rows]
        return ActivityConnection(
            edges=edges,
            page_info=page_info(edges, page.has_next),
            account_id=self.model.id,
        )


async def load_account(info: Info) -> AccountType:
    """The caller's account (a member's or an API key's); UNAUTHENTICATED without a caller."""
    caller = caller_of(info)
    loaders = info.context.loaders
    # The session's read brought the account along: a query uses it and spends no statement. A mutation
    # reads it anew, as an earlier mutation of the same document may have changed it (autopay, say).
    known = caller.account if isinstance(caller, Principal) else None
    if known is not None and info.operation.operation is OperationType.QUERY:
        loaders.prime_account(known)
    account = await loaders.account_by_id.load(caller.account_id)
    if account is None:
        raise unauthenticated()
    return AccountType(model=account)
