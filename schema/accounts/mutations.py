"""Mutation.updateAccount: the account's name, contact e-mail, service address and time zone."""

from __future__ import annotations

from typing import Any

import strawberry
from tortoise.transactions import in_transaction

from models import activity
from models.access import Permission
from models.activity import ActivityKind
from models.members.contact import (
    CONTROL_CHARACTERS_MESSAGE,
    MAX_ACCOUNT_NAME,
    has_control_characters,
    is_time_zone,
    normal_email,
)
from schema.accounts.inputs import UpdateAccountInput, address_problems
from schema.accounts.types import AccountType, load_account
from schema.errors import ErrorCode, UserError, user_error
from schema.node import given
from schema.permissions import Info, Requires, principal_of, require_step_up

# How the activity log names each changed field.
FIELD_NAMES = {
    "name": "name",
    "contact_email": "contact e-mail",
    "service_address": "service address",
    "time_zone": "time zone",
}


@strawberry.type
class AccountPayload:
    account: AccountType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Requires(Permission.MANAGE_ACCOUNT)],
        description="Changing serviceAddress is (S).",
    )
    async def update_account(self, info: Info, input: UpdateAccountInput) -> AccountPayload:
        principal = principal_of(info)
        changes, errors = _account_changes(input)
        if errors:
            return AccountPayload(errors=errors)
        if "service_address" in changes:
            require_step_up(info)
        account = (await load_account(info)).model
        changed = [field for field, value in changes.items() if getattr(account, field) != value]
        if changed:
            for field in changed:
                setattr(account, field, changes[field])
            async with in_transaction() as connection:
                await account.save(update_fields=changed, using_db=connection)
                await activity.record_by(
                    principal.member,
                    ActivityKind.ACCOUNT_UPDATED,
                    f"{principal.member.display_name} changed the account's "
                    + ", ".join(FIELD_NAMES[field] for field in changed),
                    ip_address=info.context.client.ip_address,
                    using_db=connection,
                )
        return AccountPayload(account=AccountType(model=account))


def _account_changes(input: UpdateAccountInput) -> tuple[dict[str, Any], list[UserError]]:
    """The Account fields to set, by model field name, and what is wrong with the input."""
    changes: dict[str, Any] = {}
    errors: list[UserError] = []
    name = given(input.name)
    if name is not None:
        changes["name"] = name.strip()
        if not 0 < len(changes["name"]) <= MAX_ACCOUNT_NAME:
            errors.append(
                user_error(ErrorCode.INVALID_INPUT, f"Use 1 to {MAX_ACCOUNT_NAME} characters.", "name")
            )
        elif has_control_characters(changes["name"]):
            errors.append(user_error(ErrorCode.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "name"))
    raw_email = given(input.contact_email)
    if raw_email is not None:
        changes["contact_email"] = normal_email(raw_email)
        if changes["contact_email"] is None:
            errors.append(
                user_error(ErrorCode.INVALID_EMAIL, "This is not an e-mail address.", "contactEmail")
            )
    time_zone = given(input.time_zone)
    if time_zone is not None:
        changes["time_zone"] = time_zone.strip()
        if not is_time_zone(changes["time_zone"]):
            errors.append(
                user_error(
                    ErrorCode.INVALID_TIME_ZONE, "Use an IANA time zone such as America/Chicago.", "timeZone"
                )
            )
    address = given(input.service_address)
    if address is not None:
        changes["service_address"], address_errors = address_problems(address)
        errors.extend(address_errors)
    return changes, errors
