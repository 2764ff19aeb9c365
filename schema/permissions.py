"""Permission classes declared on fields. They read the one table in models/access.py through
the principal's effective permissions; resolvers never test roles themselves."""

from __future__ import annotations

from functools import cache
from typing import Any

import strawberry
from strawberry.permission import BasePermission

from models.access import Permission
from models.members import Member
from models.sessions import is_elevated
from schema.context import Context, Principal
from schema.errors import RequestErrorCode, step_up_required, unauthenticated

Info = strawberry.Info[Context, None]


def principal_of(info: Info) -> Principal:
    """The calling member, or UNAUTHENTICATED."""
    principal = info.context.principal
    if principal is None:
        raise unauthenticated()
    return principal


class IsMember(BasePermission):
    """Any signed-in member of the account."""

    message = "Sign in to do this."
    error_extensions = {"code": RequestErrorCode.UNAUTHENTICATED.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal_of(info)
        return True


class _Requires(BasePermission):
    permissions: frozenset[Permission] = frozenset()
    error_extensions = {"code": RequestErrorCode.FORBIDDEN.value}
    allow_self = False

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = principal_of(info)
        if self.allow_self and _is_self(source, principal):
            return True
        return bool(self.permissions & principal.permissions)


def _is_self(source: Any, principal: Principal) -> bool:
    """Member-type sources carry their row as `model` (schema.members.types.MemberType)."""
    model = getattr(source, "model", None)
    return isinstance(model, Member) and model.id == principal.member.id


@cache
def Requires(*permissions: Permission) -> type[BasePermission]:
    """Allowed with any one of `permissions`."""
    names = " or ".join(p.value for p in permissions)
    return type(
        f"Requires_{'_or_'.join(p.value for p in permissions)}",
        (_Requires,),
        {"permissions": frozenset(permissions), "message": f"You need the {names} permission."},
    )


@cache
def SelfOr(*permissions: Permission) -> type[BasePermission]:
    """Allowed for the member themself, or with any one of `permissions`."""
    names = " or ".join(p.value for p in permissions) or "no"
    return type(
        f"SelfOr_{'_or_'.join(p.value for p in permissions) or 'nobody'}",
        (_Requires,),
        {
            "permissions": frozenset(permissions),
            "allow_self": True,
            "message": f"Only the member themself{' or ' + names if permissions else ''} may see this.",
        },
    )


class SteppedUp(BasePermission):
    """A sensitive mutation: the session was stepped up within STEP_UP_SECONDS."""

    message = "Confirm it is you first."
    error_extensions = {"code": RequestErrorCode.STEP_UP_REQUIRED.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_step_up(info)
        return True


def require_step_up(info: Info) -> None:
    """For mutations that are sensitive only for some inputs (a new e-mail, a new address)."""
    if not is_elevated(principal_of(info).session):
        raise step_up_required()
