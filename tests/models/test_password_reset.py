"""A password reset as a domain operation: what it is refused for, with the reason, words and field the
schema shows, and a link with the right answer setting the new password."""

from __future__ import annotations

import pytest

from models.access import Role
from models.members.models import Channel, Member
from models.security import password_reset
from models.security.attempts import CodePolicy, Gate, Refused
from models.security.errors import Refusal
from models.security.guard import Guard
from models.security.lockout import LockoutPolicy
from models.security.recovery import ResetDelivery, request_reset
from models.security.sessions import SessionPolicy
from tests.support import (
    OTHER_STRONG_PASSWORD,
    last_message,
    make_account,
    make_member,
    shared_passwords,
    token_in,
)

SECRET_KEY = "k" * 32
IP = "10.0.0.1"


def gate() -> Gate:
    return Gate(
        shared_passwords(),
        Guard(LockoutPolicy(5, 900), "http://portal.test"),
        CodePolicy(SECRET_KEY, 600, 5),
        SessionPolicy(3600, 86400),
        "http://portal.test",
    )


def reset(
    token: str | None = None, code: str | None = None, login: str | None = None, answer: str = "Rex"
) -> password_reset.PasswordReset:
    return password_reset.PasswordReset(token, code, login, OTHER_STRONG_PASSWORD, answer)


async def emailed_link(member: Member) -> str:
    await request_reset(member, Channel.EMAIL, ResetDelivery("http://portal.test", SECRET_KEY, 600), IP)
    return token_in((await last_message(member.email, "PASSWORD_RESET_LINK")).body)


def refusal_of(refused: pytest.ExceptionInfo[Refused]) -> tuple[object, str, str | None]:
    return refused.value.reason, refused.value.message, refused.value.field


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (
            reset(),
            (Refusal.INVALID_INPUT, "Give the token from the link, or the SMS code with its login.", "token"),
        ),
        (reset(token="no-such-link"), (Refusal.INVALID_TOKEN, "This link is not valid any more.", "token")),
        (
            reset(code="123456", login="nobody"),
            (Refusal.INVALID_CODE, "The code is wrong, expired or used up.", "code"),
        ),
    ],
)
async def test_a_reset_without_a_live_link_or_code_is_refused(
    asked: password_reset.PasswordReset, expected: tuple[object, str, str | None]
) -> None:
    # given nobody asked for a reset
    # when one is tried
    with pytest.raises(Refused) as refused:
        await password_reset.reset_password(gate(), asked, IP)
    # then
    assert refusal_of(refused) == expected


async def test_a_wrong_answer_is_refused_and_the_right_one_sets_the_password() -> None:
    # given a member who was e-mailed a reset link
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    token = await emailed_link(member)
    link = await password_reset.reset_link(token)
    assert link is not None
    # when the link is used with a wrong answer, then with the right one
    with pytest.raises(Refused) as refused:
        await password_reset.reset_password(gate(), reset(token=token, answer="Fido"), IP)
    await password_reset.reset_password(gate(), reset(token=token), IP)
    # then the wrong answer was refused, the new password is set and the link is spent
    assert refusal_of(refused) == (
        Refusal.WRONG_SECURITY_ANSWER,
        "The answer is not right.",
        "securityAnswer",
    )
    stored = await Member.get(id=member.id)
    assert await shared_passwords().verify(stored.password_hash, OTHER_STRONG_PASSWORD)
    assert await password_reset.reset_link(token) is None
