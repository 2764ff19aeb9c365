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

# API keys act for an app, never for a person: they may never manage members.
KEY_NEVER_GRANTED = frozenset({Permission.MANAGE_MEMBERS})


def effective_permissions(role: Role, grants: Iterable[Permission] = ()) -> frozenset[Permission]:
    """What a member of `role` with these extra grants may do; grants the role may not hold are ignored."""
    return ROLE_DEFAULTS[role] | (frozenset(grants) & GRANTABLE[role])


def holds_grants(role: Role) -> bool:
    """Whether a member of `role` may hold grants at all (else their grants need not be read)."""
    return bool(GRANTABLE[role])


def key_permissions(
    chosen: Iterable[Permission], creator_permissions: frozenset[Permission]
) -> frozenset[Permission]:
    """What an API key may do now: its chosen permissions within its creator's current ones."""
    return (frozenset(chosen) & creator_permissions) - KEY_NEVER_GRANTED


def refused_key_permissions(
    chosen: Iterable[Permission], creator_permissions: frozenset[Permission]
) -> list[Permission]:
    """The permissions among `chosen` that a new key of this creator may not be given, in enum order."""
    wanted = frozenset(chosen)
    return sorted_permissions((wanted & KEY_NEVER_GRANTED) | (wanted - creator_permissions))


def refused_grants(role: Role, grants: Iterable[Permission]) -> list[Permission]:
    """The grants among `grants` that a member of `role` may not be given, in enum order."""
    refused = set(grants) - GRANTABLE[role] - ROLE_DEFAULTS[role]
    return [permission for permission in Permission if permission in refused]


def sorted_permissions(permissions: Iterable[Permission]) -> list[Permission]:
    chosen = set(permissions)
    return [permission for permission in Permission if permission in chosen]
