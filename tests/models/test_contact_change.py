"""A contact change as domain operations: the change asked for sends a code to the new address, and
confirming it checks the code through the guard: a wrong one is refused, the right one applies it."""

from __future__ import annotations

import pytest

from models import profile
from models.access import Role
from models.members.models import Member
from models.security.attempts import Refused, SessionHolder
from models.security.errors import Refusal
from models.security.guard import Guard
from models.security.lockout import LockoutPolicy
from models.security.sessions import ClientInfo, SessionPolicy, start_session
from tests.support import last_code, make_account, make_member

CODES = profile.CodePolicy("k" * 32, 600, 5)
GUARD = Guard(LockoutPolicy(5, 900), "http://portal.test")
NEW_EMAIL = "alice.new@example.com"


async def test_a_wrong_code_is_refused_and_the_right_one_changes_the_email() -> None:
    # given a signed-in member who asked to change their e-mail address
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    _token, session = await start_session(member, ClientInfo("10.0.0.1"), SessionPolicy(3600, 86400))
    holder = SessionHolder(member, session, "10.0.0.1")
    await profile.update_profile(
        member, None, (profile.Contact.EMAIL, NEW_EMAIL), CODES, ip_address="10.0.0.1"
    )
    code = await last_code(NEW_EMAIL)
    # when they confirm a wrong code, then the right one
    with pytest.raises(Refused) as refused:
        await profile.confirm_contact_change(holder, f"{(int(code) + 1) % 1_000_000:06d}", CODES, GUARD)
    changed = await profile.confirm_contact_change(holder, code, CODES, GUARD)
    # then the wrong one was INVALID_CODE, and the address is the new one
    assert (refused.value.reason, refused.value.message, refused.value.field) == (
        Refusal.INVALID_CODE,
        "The code is wrong, expired or used up.",
        "code",
    )
    assert changed is profile.Contact.EMAIL
    assert (await Member.get(id=member.id)).email == NEW_EMAIL
