"""Two-factor set-up as domain operations: enrolling while it is on, or confirming or disabling what is
not set up, is refused with the reason and words the schema shows; a right code turns it on."""

from __future__ import annotations

import pyotp
import pytest

from models.access import Role
from models.members.models import Member
from models.security import totp
from models.security.attempts import Refused, SessionHolder
from models.security.errors import Refusal
from models.security.guard import Guard
from models.security.lockout import LockoutPolicy
from models.security.sessions import ClientInfo, SessionPolicy, start_session
from tests.support import make_account, make_member

GUARD = Guard(LockoutPolicy(5, 900), "http://portal.test")


async def signed_in_holder() -> SessionHolder:
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    _token, session = await start_session(member, ClientInfo("10.0.0.1"), SessionPolicy(3600, 86400))
    return SessionHolder(member, session, "10.0.0.1")


def reason_and_words(refused: pytest.ExceptionInfo[Refused]) -> tuple[object, str, str | None]:
    return refused.value.reason, refused.value.message, refused.value.field


async def test_confirming_before_enrolling_is_refused_as_not_enrolled() -> None:
    # given a member who never started setting up an app
    holder = await signed_in_holder()
    # when they confirm a code
    with pytest.raises(Refused) as refused:
        await totp.confirm(holder, "123456", GUARD)
    # then
    assert reason_and_words(refused) == (
        Refusal.TOTP_NOT_ENROLLED,
        "Set up two-factor first, then enter the code your app shows.",
        None,
    )


async def test_a_wrong_code_is_refused_and_a_right_one_turns_it_on() -> None:
    # given an enrolled member
    holder = await signed_in_holder()
    enrolment = await totp.enroll(holder)
    assert enrolment.otpauth_uri.startswith("otpauth://totp/")
    right = pyotp.TOTP(enrolment.secret).now()
    # when they confirm a wrong code, then the right one
    with pytest.raises(Refused) as refused:
        await totp.confirm(holder, f"{(int(right) + 1) % 1_000_000:06d}", GUARD)
    await totp.confirm(holder, right, GUARD)
    # then the wrong one was INVALID_CODE and it is on now
    assert reason_and_words(refused) == (
        Refusal.INVALID_CODE,
        "The code is wrong, expired or used already.",
        "code",
    )
    stored = await Member.get(id=holder.member.id)
    assert stored.totp_enabled_at is not None


async def test_enrolling_or_confirming_while_on_is_refused_as_already_enabled() -> None:
    # given a member with two-factor on
    holder = await signed_in_holder()
    enrolment = await totp.enroll(holder)
    await totp.confirm(holder, pyotp.TOTP(enrolment.secret).now(), GUARD)
    # when they enrol and confirm again
    with pytest.raises(Refused) as enrolling:
        await totp.enroll(holder)
    with pytest.raises(Refused) as confirming:
        await totp.confirm(holder, "123456", GUARD)
    # then
    assert reason_and_words(enrolling) == (
        Refusal.TOTP_ALREADY_ENABLED,
        "Two-factor sign-in is on already; turn it off first.",
        None,
    )
    assert reason_and_words(confirming) == (
        Refusal.TOTP_ALREADY_ENABLED,
        "Two-factor sign-in is on already.",
        None,
    )


async def test_disabling_what_is_off_is_refused_as_not_enrolled() -> None:
    # given a member without two-factor
    holder = await signed_in_holder()
    # when they turn it off
    with pytest.raises(Refused) as refused:
        await totp.disable(holder)
    # then
    assert reason_and_words(refused) == (Refusal.TOTP_NOT_ENROLLED, "Two-factor sign-in is not on.", None)
