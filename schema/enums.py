"""The contract's enums: the domain's own enums, registered with Strawberry under the contract's names."""

from __future__ import annotations

import strawberry

from models.access import Permission, Role
from models.members.models import Channel, MemberStatus

strawberry.enum(Role, name="Role")
strawberry.enum(Permission, name="Permission")
strawberry.enum(MemberStatus, name="MemberStatus")
strawberry.enum(Channel, name="Channel")

RoleEnum = Role
PermissionEnum = Permission
MemberStatusEnum = MemberStatus
ChannelEnum = Channel
