"""Member, Session and NotificationPreferences types."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.access import Permission, effective_permissions, sorted_permissions
from models.db.clock import utcnow
from models.members.models import NOTIFICATION_TOPICS, Channel, Member, MemberStatus
from models.security import recovery_codes
from models.security.models import Session
from models.security.passkeys import passkeys_of
from models.security.sessions import is_live
from schema.enums import ChannelEnum, MemberStatusEnum, PermissionEnum, RoleEnum
from schema.fastpath.declared import LoadAhead, RowLoad, page_key
from schema.fastpath.eagerly import MaybeAwaitable, eagerly
from schema.ids import to_global_id
from schema.node import Node, PageInfo
from schema.permissions import Info, Requires, SelfOr

if TYPE_CHECKING:
    from schema.security.passkeys import PasskeyType

SELF = SelfOr()
VIEW_MEMBERS = Requires(Permission.VIEW_MEMBERS)
MEMBERS_PAGE = 20

# A member's grants (what `permissions` reads), loaded for every member of a page at once.
GRANTS: RowLoad[Member, int, list[Permission]] = RowLoad(
    ("permissions",), lambda loaders: loaders.grants_by_member, lambda member: member.id
)
# Account.members' page, loaded ahead by `account` (schema/fastpath/prefetch.py) with its grants.
MEMBERS = LoadAhead(VIEW_MEMBERS, lambda loaders: loaders.member_page, page_key(MEMBERS_PAGE), then=(GRANTS,))


# Python field name -> the topic as stored and named in GraphQL ("serviceChanges" -> service_changes).
TOPIC_FIELDS = {re.sub(r"(?<!^)([A-Z])", r"_\1", topic).lower(): topic for topic in NOTIFICATION_TOPICS}


@strawberry.type(name="NotificationPreferences")
class NotificationPreferencesType:
    billing: list[ChannelEnum]
    service_changes: list[ChannelEnum]
    outages: list[ChannelEnum]
    security: list[ChannelEnum]

    @classmethod
    def from_model(cls, preferences: dict[str, list[str]]) -> NotificationPreferencesType:
        return cls(
            **{
                field: [Channel(value) for value in preferences.get(topic, [])]
                for field, topic in TOPIC_FIELDS.items()
            }
        )


@strawberry.type(name="Session")
class SessionType:
    model: strawberry.Private[Session]
    current_session_id: strawberry.Private[int | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Session", self.model.id))

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def last_seen_at(self) -> datetime:
        return self.model.last_seen_at

    @strawberry.field
    def ip_address(self) -> str | None:
        return self.model.ip_address

    @strawberry.field
    def user_agent(self) -> str | None:
        return self.model.user_agent

    @strawberry.field
    def current(self) -> bool:
        return bool(self.model.id == self.current_session_id)

    @strawberry.field
    def elevated_until(self) -> datetime | None:
        until = self.model.elevated_until
        return until if until is not None and until > utcnow() else None


@strawberry.type(name="Member")
class MemberType(Node):
    model: strawberry.Private[Member]
    # The member a signIn, verifySignIn or activateMember of this very request just signed in: they
    # read their own fields in its payload, though the request came without a session.
    signed_in_now: strawberry.Private[bool] = False

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Member", self.model.id))

    @strawberry.field
    def username(self) -> str | None:
        return self.model.username

    @strawberry.field
    def display_name(self) -> str:
        return self.model.display_name

    @strawberry.field(permission_classes=[SelfOr(Permission.MANAGE_MEMBERS)])
    def email(self) -> str | None:
        return self.model.email

    @strawberry.field(permission_classes=[SelfOr(Permission.MANAGE_MEMBERS)])
    def phone(self) -> str | None:
        return self.model.phone

    @strawberry.field(permission_classes=[SELF])
    def pending_email(self) -> str | None:
        return self.model.pending_email

    @strawberry.field(permission_classes=[SELF])
    def pending_phone(self) -> str | None:
        return self.model.pending_phone

    @strawberry.field
    def role(self) -> RoleEnum:
        return self.model.role_enum

    @strawberry.field
    def status(self) -> MemberStatusEnum:
        status: MemberStatus = self.model.status_at(utcnow())
        return status

    @strawberry.field(graphql_type=list[PermissionEnum])
    def permissions(self, info: Info) -> MaybeAwaitable[list[Permission]]:
        # Synchronous when the request already holds the grants (a members page or the caller's own),
        # so a page of members completes without a suspension per member (schema.loaders.eagerly).
        return eagerly(self._permissions(info))

    async def _permissions(self, info: Info) -> list[Permission]:
        grants = await GRANTS.load(info, self.model)
        return sorted_permissions(effective_permissions(self.model.role_enum, grants))

    @strawberry.field(permission_classes=[SelfOr(Permission.VIEW_MEMBERS)])
    def last_sign_in_at(self) -> datetime | None:
        return self.model.last_sign_in_at

    @strawberry.field(permission_classes=[SelfOr(Permission.MANAGE_MEMBERS)])
    def two_factor_enabled(self) -> bool | None:
        return self.model.totp_enabled_at is not None

    @strawberry.field(
        permission_classes=[SELF],
        description="How many of the member's recovery codes are unused (the member themself).",
    )
    async def recovery_codes_remaining(self) -> int | None:
        return await recovery_codes.remaining(self.model.id)

    @strawberry.field(
        permission_classes=[SELF], description="The member's passkeys (the member themself; never a key)."
    )
    async def passkeys(
        self,
    ) -> list[Annotated[PasskeyType, strawberry.lazy("schema.security.passkeys")]] | None:
        from schema.security.passkeys import PasskeyType

        return [PasskeyType(model=passkey) for passkey in await passkeys_of(self.model.id)]

    @strawberry.field(permission_classes=[SELF])
    def security_question(self) -> str | None:
        return self.model.security_question

    @strawberry.field(permission_classes=[SELF])
    async def sessions(self, info: Info) -> list[SessionType] | None:
        sessions = await info.context.loaders.sessions_by_member.load(self.model.id)
        principal = info.context.principal
        current = principal.session.id if principal else None
        now = utcnow()
        policy = info.context.session_policy
        return [SessionType(model=s, current_session_id=current) for s in sessions if is_live(s, policy, now)]

    @strawberry.field(permission_classes=[SELF])
    def notification_preferences(self) -> NotificationPreferencesType | None:
        return NotificationPreferencesType.from_model(self.model.notification_preferences)


@strawberry.type
class MemberEdge:
    node: MemberType
    cursor: str


@strawberry.type
class MemberConnection:
    edges: list[MemberEdge]
    page_info: PageInfo
    account_id: strawberry.Private[int]

    @strawberry.field
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.member_count_by_account.load(self.account_id)
