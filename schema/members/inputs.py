"""Inputs of member management, reading an invitation, and turning refusals into payloads."""

from __future__ import annotations

import strawberry

from models.access import Permission, Role
from models.members.contact import (
    CONTROL_CHARACTERS_MESSAGE,
    MAX_DISPLAY_NAME,
    has_control_characters,
    normal_email,
    normal_phone,
)
from models.membership import Invitation
from schema.enums import PermissionEnum, RoleEnum
from schema.errors import ErrorCode, UserError, user_error
from schema.members.payloads import MemberPayload
from schema.node import given


@strawberry.input
class InviteMemberInput:
    display_name: str
    email: str
    phone: str | None = strawberry.UNSET
    role: RoleEnum
    permissions: list[PermissionEnum] | None = strawberry.UNSET


@strawberry.input
class UpdateMemberAccessInput:
    member_id: strawberry.ID
    role: RoleEnum
    permissions: list[PermissionEnum] | None = strawberry.UNSET


def refused_member(*errors: UserError) -> MemberPayload:
    return MemberPayload(errors=list(errors))


def grants_of(permissions: list[Permission] | None) -> frozenset[Permission]:
    return frozenset(given(permissions) or ())


def read_invitation(input: InviteMemberInput) -> Invitation | list[UserError]:
    """The invitation in normal form, or every problem of its fields (role and grants are the domain's)."""
    errors: list[UserError] = []
    display_name = input.display_name.strip()
    if not 1 <= len(display_name) <= MAX_DISPLAY_NAME:
        errors.append(
            user_error(
                ErrorCode.INVALID_INPUT, f"Give a name of 1 to {MAX_DISPLAY_NAME} characters.", "displayName"
            )
        )
    elif has_control_characters(display_name):
        errors.append(user_error(ErrorCode.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "displayName"))
    email = normal_email(input.email)
    if email is None:
        errors.append(user_error(ErrorCode.INVALID_EMAIL, "This is not an e-mail address.", "email"))
    raw_phone = given(input.phone)
    phone = normal_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        errors.append(user_error(ErrorCode.INVALID_PHONE, "This is not a phone number.", "phone"))
    if errors or email is None:
        return errors
    return Invitation(
        display_name=display_name,
        email=email,
        phone=phone,
        role=Role(input.role),
        grants=grants_of(input.permissions),
    )
