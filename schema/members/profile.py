"""The member's own profile: display name, contact changes confirmed by code, notification preferences."""

from __future__ import annotations

import strawberry

from models import profile
from models.errors import Refused
from models.members.contact import (
    CONTROL_CHARACTERS_MESSAGE,
    MAX_DISPLAY_NAME,
    has_control_characters,
    normal_email,
    normal_phone,
)
from models.members.models import Channel, Member
from schema.enums import ChannelEnum
from schema.errors import ErrorCode, UserError, refusal_error, user_error
from schema.members.payloads import MemberPayload
from schema.members.types import TOPIC_FIELDS, MemberType, NotificationPreferencesType
from schema.node import given
from schema.permissions import Info, IsMember, principal_of, require_step_up
from schema.security.guarded import guard_of, holder_of


@strawberry.input
class UpdateProfileInput:
    display_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET


@strawberry.input
class NotificationPreferencesInput:
    billing: list[ChannelEnum] | None = strawberry.UNSET
    service_changes: list[ChannelEnum] | None = strawberry.UNSET
    outages: list[ChannelEnum] | None = strawberry.UNSET
    security: list[ChannelEnum] | None = strawberry.UNSET


@strawberry.type
class NotificationPreferencesPayload:
    notification_preferences: NotificationPreferencesType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def code_policy(info: Info) -> profile.CodePolicy:
    settings = info.context.settings
    return profile.CodePolicy(settings.secret_key, settings.code_seconds, settings.code_max_attempts)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsMember],
        description="Changing email or phone is (S); the new one is confirmed by a code sent to it.",
    )
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> MemberPayload:
        member = principal_of(info).member
        display_name, contact, errors = _profile_changes(member, input)
        if errors:
            return MemberPayload(errors=errors)
        if contact is not None:
            require_step_up(info)
        try:
            await profile.update_profile(
                member, display_name, contact, code_policy(info), ip_address=info.context.client.ip_address
            )
        except Refused as refusal:
            return MemberPayload(errors=[refusal_error(refusal)])
        return MemberPayload(member=MemberType(model=member))

    @strawberry.mutation(permission_classes=[IsMember])
    async def confirm_contact_change(self, info: Info, code: str) -> MemberPayload:
        context = info.context
        try:
            await profile.confirm_contact_change(
                holder_of(context), code, code_policy(info), guard_of(context)
            )
        except Refused as refusal:
            return MemberPayload(errors=[refusal_error(refusal)])
        return MemberPayload(member=MemberType(model=principal_of(info).member))

    @strawberry.mutation(permission_classes=[IsMember])
    async def update_notification_preferences(
        self, info: Info, input: NotificationPreferencesInput
    ) -> NotificationPreferencesPayload:
        member = principal_of(info).member
        changes: dict[str, list[Channel]] = {}
        for name, topic in TOPIC_FIELDS.items():
            channels = given(getattr(input, name))
            if channels is not None:
                changes[topic] = [Channel(channel) for channel in channels]
        errors = _preference_errors(member, changes)
        if errors:
            return NotificationPreferencesPayload(errors=errors)
        preferences = profile.merged_preferences(member.notification_preferences, changes)
        await profile.save_preferences(member, preferences, ip_address=info.context.client.ip_address)
        return NotificationPreferencesPayload(
            notification_preferences=NotificationPreferencesType.from_model(preferences)
        )


def _profile_changes(
    member: Member, input: UpdateProfileInput
) -> tuple[str | None, tuple[profile.Contact, str] | None, list[UserError]]:
    """The new display name, the contact change asked for, and what is wrong with the input."""
    errors: list[UserError] = []
    display_name = given(input.display_name)
    if display_name is not None:
        display_name = display_name.strip()
        if not 0 < len(display_name) <= MAX_DISPLAY_NAME:
            errors.append(
                user_error(ErrorCode.INVALID_INPUT, f"Use 1 to {MAX_DISPLAY_NAME} characters.", "displayName")
            )
        elif has_control_characters(display_name):
            errors.append(user_error(ErrorCode.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "displayName"))
    changes: list[tuple[profile.Contact, str]] = []
    raw_email = given(input.email)
    if raw_email is not None:
        email = normal_email(raw_email)
        if email is None:
            errors.append(user_error(ErrorCode.INVALID_EMAIL, "This is not an e-mail address.", "email"))
        elif email != member.email:
            changes.append((profile.Contact.EMAIL, email))
    raw_phone = given(input.phone)
    if raw_phone is not None:
        phone = normal_phone(raw_phone)
        if phone is None:
            errors.append(user_error(ErrorCode.INVALID_PHONE, "This is not a valid phone number.", "phone"))
        elif phone != member.phone or not member.phone_confirmed:
            changes.append((profile.Contact.PHONE, phone))
    if len(changes) > 1:
        errors.append(
            user_error(
                ErrorCode.INVALID_INPUT,
                "Change your e-mail address and phone number one at a time: each has its own code.",
                "phone",
            )
        )
    return display_name, (changes[0] if changes else None), errors


def _preference_errors(member: Member, changes: dict[str, list[Channel]]) -> list[UserError]:
    errors: list[UserError] = []
    if "security" in changes and Channel.EMAIL not in changes["security"]:
        errors.append(
            user_error(
                ErrorCode.INVALID_CHANNEL, "Security notices always go by e-mail; keep EMAIL.", "security"
            )
        )
    has_phone = bool(member.phone and member.phone_confirmed)
    for topic, channels in changes.items():
        if Channel.SMS in channels and not has_phone:
            errors.append(
                user_error(ErrorCode.INVALID_PHONE, "Confirm a phone number before choosing SMS.", topic)
            )
    return errors
