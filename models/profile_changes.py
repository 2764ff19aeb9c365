"""What a member asks of their own profile, checked before anything changes: the new display name, the
one contact change, the notification channels. Every problem is a MembershipRefused naming its field,
all of them at once, so a form can mark each."""

from __future__ import annotations

from dataclasses import dataclass

from models.members.contact import (
    CONTROL_CHARACTERS_MESSAGE,
    MAX_DISPLAY_NAME,
    has_control_characters,
    normal_email,
    normal_phone,
)
from models.members.errors import MembershipRefused, Refusal
from models.members.models import Channel, Member
from models.profile import Contact


@dataclass(frozen=True)
class ProfileChange:
    """The display name (trimmed) and the contact change asked for; None for what stays."""

    display_name: str | None
    contact: tuple[Contact, str] | None


def profile_change(
    member: Member, display_name: str | None, email: str | None, phone: str | None
) -> ProfileChange | list[MembershipRefused]:
    """The change the given values ask for (None: not given), or what is wrong with them."""
    problems: list[MembershipRefused] = []
    if display_name is not None:
        display_name = display_name.strip()
        if not 0 < len(display_name) <= MAX_DISPLAY_NAME:
            problems.append(
                MembershipRefused(
                    Refusal.INVALID_INPUT, f"Use 1 to {MAX_DISPLAY_NAME} characters.", "displayName"
                )
            )
        elif has_control_characters(display_name):
            problems.append(
                MembershipRefused(Refusal.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "displayName")
            )
    changes: list[tuple[Contact, str]] = []
    if email is not None:
        normal = normal_email(email)
        if normal is None:
            problems.append(
                MembershipRefused(Refusal.INVALID_EMAIL, "This is not an e-mail address.", "email")
            )
        elif normal != member.email:
            changes.append((Contact.EMAIL, normal))
    if phone is not None:
        number = normal_phone(phone)
        if number is None:
            problems.append(
                MembershipRefused(Refusal.INVALID_PHONE, "This is not a valid phone number.", "phone")
            )
        elif number != member.phone or not member.phone_confirmed:
            changes.append((Contact.PHONE, number))
    if len(changes) > 1:
        problems.append(
            MembershipRefused(
                Refusal.INVALID_INPUT,
                "Change your e-mail address and phone number one at a time: each has its own code.",
                "phone",
            )
        )
    return problems or ProfileChange(display_name, changes[0] if changes else None)


def preference_problems(member: Member, changes: dict[str, list[Channel]]) -> list[MembershipRefused]:
    """What is wrong with the channels asked for each topic: security without e-mail, SMS without a phone."""
    problems: list[MembershipRefused] = []
    if "security" in changes and Channel.EMAIL not in changes["security"]:
        problems.append(
            MembershipRefused(
                Refusal.INVALID_CHANNEL, "Security notices always go by e-mail; keep EMAIL.", "security"
            )
        )
    has_phone = bool(member.phone and member.phone_confirmed)
    for topic, channels in changes.items():
        if Channel.SMS in channels and not has_phone:
            problems.append(
                MembershipRefused(Refusal.INVALID_PHONE, "Confirm a phone number before choosing SMS.", topic)
            )
    return problems
