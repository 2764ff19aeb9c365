"""A profile change checked before anything changes: every problem at once, each naming its field."""

from __future__ import annotations

from models.access import Role
from models.members.contact import CONTROL_CHARACTERS_MESSAGE
from models.members.errors import Refusal
from models.members.models import Channel
from models.profile import Contact
from models.profile_changes import ProfileChange, preference_problems, profile_change
from tests.support import make_account, make_member


async def test_every_problem_of_a_profile_change_is_named_at_once() -> None:
    # given a member
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    # when they ask for a name with a line break, a bad address and a bad number
    problems = profile_change(member, "Ali\nce", "not-an-address", "12")
    # then each is refused with its field
    assert isinstance(problems, list)
    assert [(problem.reason, problem.message, problem.field) for problem in problems] == [
        (Refusal.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "displayName"),
        (Refusal.INVALID_EMAIL, "This is not an e-mail address.", "email"),
        (Refusal.INVALID_PHONE, "This is not a valid phone number.", "phone"),
    ]


async def test_a_good_change_is_the_trimmed_name_and_the_one_contact() -> None:
    # given a member
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    # when they ask for a new name and address
    change = profile_change(member, "  Alice B.  ", "alice.b@Example.COM", None)
    # then
    assert change == ProfileChange("Alice B.", (Contact.EMAIL, "alice.b@example.com"))


async def test_sms_without_a_phone_and_security_without_email_are_refused() -> None:
    # given a member without a confirmed phone
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    # when they choose SMS only for security notices
    problems = preference_problems(member, {"security": [Channel.SMS]})
    # then
    assert [(problem.reason, problem.message, problem.field) for problem in problems] == [
        (Refusal.INVALID_CHANNEL, "Security notices always go by e-mail; keep EMAIL.", "security"),
        (Refusal.INVALID_PHONE, "Confirm a phone number before choosing SMS.", "security"),
    ]
