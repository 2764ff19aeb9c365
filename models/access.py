"""Roles and permissions: the ONE table every check reads (fields, API keys, Member.permissions)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    PRIMARY = "PRIMARY"
    MANAGER = "MANAGER"
    STANDARD = "STANDARD"


class Permission(StrEnum):
    VIEW_BILLING = "VIEW_BILLING"
    PAY_BILLS = "PAY_BILLS"
    MANAGE_PAYMENT_METHODS = "MANAGE_PAYMENT_METHODS"
    MANAGE_SERVICES = "MANAGE_SERVICES"
    MANAGE_ACCOUNT = "MANAGE_ACCOUNT"
    VIEW_MEMBERS = "VIEW_MEMBERS"
    MANAGE_MEMBERS = "MANAGE_MEMBERS"
    VIEW_ACTIVITY = "VIEW_ACTIVITY"


ROLE_DEFAULTS: dict[Role, frozenset[Permission]] = {
    Role.PRIMARY: frozenset(Permission),
    Role.MANAGER: frozenset(Permission) - {Permission.MANAGE_MEMBERS},
    Role.STANDARD: frozenset(),
}

GRANTABLE: dict[Role, frozenset[Permission]] = {
    Role.PRIMARY: frozenset(),
    Role.MANAGER: frozenset(),
    Role.STANDARD: frozenset(
        {Permission.VIEW_BILLING, Permission.PAY_BILLS, Permission.MANAGE_SERVICES, Permission.VIEW_MEMBERS}
    ),
}

INVITABLE_ROLES = frozenset({Role.MANAGER, Role.STANDARD})


def effective_permissions(role: Role, grants: Iterable[Permission] = ()) -> frozenset[Permission]:
    """What a member of `role` with these extra grants may do; grants the role may not hold are ignored."""
    return ROLE_DEFAULTS[role] | (frozenset(grants) & GRANTABLE[role])


def refused_grants(role: Role, grants: Iterable[Permission]) -> list[Permission]:
    """The grants among `grants` that a member of `role` may not be given, in enum order."""
    refused = set(grants) - GRANTABLE[role] - ROLE_DEFAULTS[role]
    return [permission for permission in Permission if permission in refused]


def sorted_permissions(permissions: Iterable[Permission]) -> list[Permission]:
    chosen = set(permissions)
    return [permission for permission in Permission if permission in chosen]
