"""The member's own profile: display name, contact changes confirmed by code, notification preferences;
adapters of models/profile.py and models/profile_changes.py."""

from __future__ import annotations

import strawberry

from models import profile
from models.errors import Refused
from models.members.models import Channel
from models.profile_changes import preference_problems, profile_change
from schema.enums import ChannelEnum
from schema.errors import UserError, refusal_error
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
        change = profile_change(member, given(input.display_name), given(input.email), given(input.phone))
        if isinstance(change, list):
            return MemberPayload(errors=[refusal_error(problem) for problem in change])
        if change.contact is not None:
            require_step_up(info)
        try:
            await profile.update_profile(
                member,
                change.display_name,
                change.contact,
                code_policy(info),
                ip_address=info.context.client.ip_address,
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
        if problems := preference_problems(member, changes):
            return NotificationPreferencesPayload(errors=[refusal_error(problem) for problem in problems])
        preferences = profile.merged_preferences(member.notification_preferences, changes)
        await profile.save_preferences(member, preferences, ip_address=info.context.client.ip_address)
        return NotificationPreferencesPayload(
            notification_preferences=NotificationPreferencesType.from_model(preferences)
        )
