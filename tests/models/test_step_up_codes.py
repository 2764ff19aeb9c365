"""Step-up codes past the per-member limit: refused with how long to wait, and nothing more is sent."""

from __future__ import annotations

import pytest

from models.access import Role
from models.members.models import Channel
from models.notify.outbox import OutboxMessage
from models.security import step_up
from models.security.attempts import CodePolicy, Guarded, Refused, SessionHolder
from models.security.codes import CODE_LIMIT
from models.security.sessions import ClientInfo, SessionPolicy, start_session
from tests.support import make_account, make_member

CODES = CodePolicy(secret_key="k" * 32, code_seconds=600, code_max_attempts=5)


async def test_a_step_up_code_past_the_limit_is_refused_with_the_wait() -> None:
    # given a signed-in member who was sent as many step-up codes as a window allows
    member = await make_member(await make_account(), "alice", role=Role.PRIMARY)
    _token, session = await start_session(member, ClientInfo("10.0.0.1"), SessionPolicy(3600, 86400))
    holder = SessionHolder(member, session, "10.0.0.1")
    for _ in range(CODE_LIMIT):
        await step_up.request_code(holder, Channel.EMAIL, CODES)
    sent = await OutboxMessage.all().count()
    # when they ask for one more
    with pytest.raises(Refused) as refused:
        await step_up.request_code(holder, Channel.EMAIL, CODES)
    # then it is refused as the codes' throttle, with a wait, and no e-mail goes
    assert (refused.value.reason, refused.value.message) == (
        Guarded.RATE_LIMITED,
        "We have sent you several codes already.",
    )
    assert refused.value.retry_after is not None
    assert refused.value.retry_after > 0
    assert await OutboxMessage.all().count() == sent
