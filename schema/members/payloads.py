"""Payloads that carry one member, shared by the members and profile mutations."""

from __future__ import annotations

import strawberry

from schema.errors import UserError
from schema.members.types import MemberType


@strawberry.type
class MemberPayload:
    member: MemberType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
