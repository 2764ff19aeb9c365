"""The contract's enums, exposed from the domain's own enums."""

from __future__ import annotations

import strawberry

from models.access import Permission, Role
from models.members import Channel, MemberStatus

RoleEnum = strawberry.enum(Role, name="Role")
PermissionEnum = strawberry.enum(Permission, name="Permission")
MemberStatusEnum = strawberry.enum(MemberStatus, name="MemberStatus")
ChannelEnum = strawberry.enum(Channel, name="Channel")
