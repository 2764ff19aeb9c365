"""Permission classes declared on fields. They read the one table in models/access.py through
the principal's effective permissions; resolvers never test roles themselves."""

from __future__ import annotations

from functools import cache
from inspect import isawaitable
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types.base import get_object_definition

from models.access import Permission
from models.members.models import Member
from models.security.sessions import is_elevated
from schema.context import Caller, Context, Principal
from schema.errors import ApiError, RequestErrorCode, step_up_required, unauthenticated

Info = strawberry.Info[Context, None]


def principal_of(info: Info) -> Principal:
    """The calling member; FORBIDDEN for an API key, UNAUTHENTICATED for nobody."""
    principal = info.context.principal
    if principal is None:
        if info.context.api_key is not None:
            raise members_only()
        raise unauthenticated()
    return principal


def caller_of(info: Info) -> Caller:
    """The calling member or API key, or UNAUTHENTICATED."""
    caller = info.context.caller
    if caller is None:
        raise unauthenticated()
    return caller


def members_only() -> ApiError:
    return ApiError(
        RequestErrorCode.FORBIDDEN, "API keys cannot do this: only a signed-in member of the account can."
    )


class IsMember(BasePermission):
    """Any signed-in member of the account (an API key gets FORBIDDEN)."""

    message = "Sign in to do this."
    error_extensions = {"code": RequestErrorCode.UNAUTHENTICATED.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal_of(info)
        return True


class IsCaller(BasePermission):
    """Any signed-in member of the account, or one of its API keys."""

    message = "Sign in or send an API key to do this."
    error_extensions = {"code": RequestErrorCode.UNAUTHENTICATED.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        caller_of(info)
        return True


class _Requires(BasePermission):
    permissions: frozenset[Permission] = frozenset()
    error_extensions = {"code": RequestErrorCode.FORBIDDEN.value}
    allow_self = False

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if self.allow_self and getattr(source, "signed_in_now", False):
            return True
        caller = caller_of(info)
        if self.allow_self and _is_self(source, caller):
            return True
        return bool(self.permissions & caller.permissions)


def _is_self(source: Any, caller: Caller) -> bool:
    """Member-type sources carry their row as `model` (schema.members.types.MemberType); a key is nobody."""
    model = getattr(source, "model", None)
    return isinstance(caller, Principal) and isinstance(model, Member) and model.id == caller.member.id


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


async def field_allows(info: Info, owner: type, python_name: str, source: Any = None) -> bool:
    """Whether the caller may read the field `python_name` of the GraphQL type `owner`, as the field's own
    permission classes answer (on `source`, its parent object, when there is one). Query.node reads
    the fields that lead to an object through this, so it never keeps a second table of rights."""
    definition = get_object_definition(owner, strict=True)
    field = next((f for f in definition.fields if f.python_name == python_name), None)
    if field is None:
        raise LookupError(f"{definition.name} has no field {python_name!r}")
    for permission_class in field.permission_classes:
        try:
            allowed = permission_class().has_permission(source, info)
            if isawaitable(allowed):
                allowed = await allowed
        except ApiError:  # UNAUTHENTICATED, or FORBIDDEN for an API key on a members-only field
            return False
        if not allowed:
            return False
    return True


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
