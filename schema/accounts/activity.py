"""ActivityEvent and its connection: the account's activity and security log, newest first."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.activity import ActivityEvent
from schema.ids import to_global_id
from schema.members.types import VIEW_MEMBERS, MemberType
from schema.node import Node, PageInfo
from schema.permissions import Info


@strawberry.type(name="ActivityEvent")
class ActivityEventType(Node):
    model: strawberry.Private[ActivityEvent]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("ActivityEvent", self.model.id))

    @strawberry.field
    def at(self) -> datetime:
        return self.model.at

    @strawberry.field
    def kind(self) -> str:
        return self.model.kind

    # The actor is a member of the account like those of Account.members: VIEW_ACTIVITY alone (a
    # partner app's key) does not show their username, role and permissions; the summary names them.
    @strawberry.field(
        permission_classes=[VIEW_MEMBERS],
        description="Null for the system or an API key. VIEW_MEMBERS, as for the account's members.",
    )
    async def actor(self, info: Info) -> MemberType | None:
        actor_id = self.model.actor_id
        if actor_id is None:
            return None
        member = await info.context.loaders.member_by_id.load(int(actor_id))
        return MemberType(model=member) if member else None

    @strawberry.field
    def summary(self) -> str:
        return self.model.summary

    @strawberry.field
    def ip_address(self) -> str | None:
        return self.model.ip_address


@strawberry.type
class ActivityEdge:
    node: ActivityEventType
    cursor: str


@strawberry.type
class ActivityConnection:
    edges: list[ActivityEdge]
    page_info: PageInfo
    account_id: strawberry.Private[int]

    @strawberry.field
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.activity_count_by_account.load(self.account_id)
