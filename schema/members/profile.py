"""The member's own profile: display name, contact changes confirmed by code, notification preferences."""

from __future__ import annotations

import strawberry
from tortoise.transactions import in_transaction

from models import profile
from models.members.contact import (
    CONTROL_CHARACTERS_MESSAGE,
    MAX_DISPLAY_NAME,
    has_control_characters,
    normal_email,
    normal_phone,
)
from models.members.errors import MembershipRefused
from models.members.models import Channel, Member
from models.security.codes import TooManyCodes
from models.security.guard import Secret
from models.security.models import OneTimeToken
from schema.enums import ChannelEnum
from schema.errors import ErrorCode, UserError, refusal_error, too_many_codes, user_error
from schema.members.payloads import MemberPayload
from schema.members.types import TOPIC_FIELDS, MemberType, NotificationPreferencesType
from schema.node import given
from schema.permissions import Info, IsMember, principal_of, require_step_up
from schema.security.guarded import check_secret, refusal, session_claimant

# Input field names of NotificationPreferencesInput, as stored in Member.notification_preferences.


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
        ip_address = info.context.client.ip_address
        try:
            async with in_transaction() as connection:
                if display_name is not None:
                    await profile.rename(member, display_name, ip_address=ip_address, using_db=connection)
                if contact is not None:
                    await profile.request_contact_change(
                        member,
                        contact[0],
                        contact[1],
                        code_policy(info),
                        ip_address=ip_address,
                        using_db=connection,
                    )
        except TooManyCodes as refused_codes:
            raise too_many_codes(refused_codes.retry_after) from None
        except MembershipRefused as refusal:
            return MemberPayload(errors=[refusal_error(refusal)])
        return MemberPayload(member=MemberType(model=member))

    @strawberry.mutation(permission_classes=[IsMember])
    async def confirm_contact_change(self, info: Info, code: str) -> MemberPayload:
        context = info.context
        member = principal_of(info).member
        redeemed: OneTimeToken | None = None

        async def verify() -> bool:
            nonlocal redeemed
            redeemed = await profile.redeem_contact_code(member, code, code_policy(info))
            return redeemed is not None

        verdict = await check_secret(context, session_claimant(context), Secret.CONTACT_CODE, verify)
        wrong = user_error(ErrorCode.INVALID_CODE, "The code is wrong, expired or used up.", "code")
        if (error := refusal(verdict, wrong)) is not None or redeemed is None:
            return MemberPayload(errors=[error or wrong])
        await profile.apply_contact_change(member, redeemed, ip_address=context.client.ip_address)
        return MemberPayload(member=MemberType(model=member))

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
