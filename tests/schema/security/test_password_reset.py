"""Password recovery: an e-mailed link or SMS code plus the security answer sets a new password."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from gateway.settings import Settings
from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member, MemberStatus
from models.notify.outbox import OutboxMessage
from models.security.models import OneTimeToken, TokenPurpose
from models.security.recovery import ResetRequest
from models.security.throttle import FailedSignIn
from tests.support import (
    OTHER_STRONG_PASSWORD,
    SIGN_IN,
    STRONG_PASSWORD,
    carry_out_reset_requests,
    count_queries,
    error_codes,
    gql,
    last_code,
    last_message,
    make_account,
    make_member,
    run_worker_burst,
    sign_in,
    token_in,
)

REQUEST = """
mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { ok errors { code field } }
}
"""
RESET = """
mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { ok errors { code field } } }
"""
ME = "{ me { username } }"
PHONE = "+13125550123"
LINK_KIND = "PASSWORD_RESET_LINK"
OK = {"ok": True, "errors": []}


def refused(code: str, field: str) -> dict[str, object]:
    return {"ok": False, "errors": [{"code": code, "field": field}]}


async def request_reset(client: httpx.AsyncClient, login: str, channel: str = "EMAIL") -> None:
    body = await gql(client, REQUEST, {"input": {"login": login, "channel": channel}})
    assert body["data"]["requestPasswordReset"] == OK, body
    await carry_out_reset_requests()


async def reset_link(client: httpx.AsyncClient, login: str, email: str) -> str:
    await request_reset(client, login)
    return token_in((await last_message(email, LINK_KIND)).body)


async def reset(client: httpx.AsyncClient, **values: str) -> dict[str, object]:
    inputs = {"newPassword": OTHER_STRONG_PASSWORD, "securityAnswer": "Rex", **values}
    body = await gql(client, RESET, {"input": inputs})
    payload: dict[str, object] = body["data"]["resetPassword"]
    return payload


async def sign_in_code(client: httpx.AsyncClient, username: str, password: str) -> str:
    body = await gql(client, SIGN_IN, {"input": {"username": username, "password": password}})
    errors = body["data"]["signIn"]["errors"]
    return str(errors[0]["code"]) if errors else "OK"


async def test_unknown_or_malformed_logins_answer_ok_and_send_nothing(client: httpx.AsyncClient) -> None:
    # given one member
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    # when resets are asked for logins that are not hers
    for login in ["nobody", "nobody@example.com", "Alice", "", "x" * 10_000, "a@" + "b" * 300 + ".com"]:
        for channel in ("EMAIL", "SMS"):
            await request_reset(client, login, channel)
    # then every answer was ok and nothing was sent or logged
    assert await OutboxMessage.all().count() == 0
    assert await ActivityEvent.all().count() == 0


async def test_the_emailed_link_and_the_right_answer_reset_the_password(client: httpx.AsyncClient) -> None:
    # given a member with two sessions, who asks by username and then by e-mail address
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    sessions = [await sign_in(client, "alice"), await sign_in(client, "alice")]
    first = await reset_link(client, "alice", "alice@example.com")
    token = await reset_link(client, "alice@EXAMPLE.com", "alice@example.com")
    message = await last_message("alice@example.com", LINK_KIND)
    assert f"http://portal.test/reset-password?token={token}" in message.body
    # when a wrong answer is given, then the right one
    assert await reset(client, token=token, securityAnswer="Fido") == refused(
        "WRONG_SECURITY_ANSWER", "securityAnswer"
    )
    assert await reset(client, token=token, securityAnswer="  REX ") == OK
    # then the new password works, the old one and the old sessions do not, and the link is spent
    assert await sign_in_code(client, "alice", STRONG_PASSWORD) == "INVALID_CREDENTIALS"
    await sign_in(client, "alice", OTHER_STRONG_PASSWORD)
    for session in sessions:
        assert (await gql(client, ME, token=session))["data"]["me"] is None
    assert await reset(client, token=token) == refused("INVALID_TOKEN", "token")
    assert await reset(client, token=first) == refused("INVALID_TOKEN", "token")
    notice = await last_message("alice@example.com", "PASSWORD_RESET")
    assert notice.subject == "Your password was reset"
    events = await ActivityEvent.filter(kind__startswith="PASSWORD_RESET").order_by("id")
    assert [event.kind for event in events] == [
        "PASSWORD_RESET_REQUESTED",
        "PASSWORD_RESET_REQUESTED",
        "PASSWORD_RESET_FAILED",
        "PASSWORD_RESET",
    ]
    assert {(event.actor_id, event.ip_address) for event in events} == {(alice.id, "203.0.113.7")}


async def test_expired_malformed_or_missing_tokens_are_refused(client: httpx.AsyncClient) -> None:
    # given a link that has expired
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await reset_link(client, "alice", "alice@example.com")
    await OneTimeToken.filter(purpose=TokenPurpose.PASSWORD_RESET).update(
        expires_at=utcnow() - timedelta(seconds=1)
    )
    # when / then
    assert await reset(client, token=token) == refused("INVALID_TOKEN", "token")
    assert await reset(client, token="x" * 5_000) == refused("INVALID_TOKEN", "token")
    assert await reset(client) == refused("INVALID_INPUT", "token")
    assert await reset(client, code="123456") == refused("INVALID_INPUT", "token")
    await sign_in(client, "alice", STRONG_PASSWORD)


LINK = "query($token: String!) { passwordResetLink(token: $token) { securityQuestion expiresAt } }"


async def link_question(client: httpx.AsyncClient, token: str) -> object:
    body = await gql(client, LINK, {"token": token})
    assert "errors" not in body, body
    link: dict[str, object] | None = body["data"]["passwordResetLink"]
    return link and link["securityQuestion"]


async def test_a_live_link_shows_its_question_and_a_dead_one_shows_nothing(client: httpx.AsyncClient) -> None:
    # given a live link, signed out
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    token = await reset_link(client, "alice", "alice@example.com")
    # when / then: the member's question, before anything is typed, and the link still works after
    assert await link_question(client, token) == alice.security_question
    # then: nothing for links that are unknown, malformed, too long or empty
    for dead in ("not-a-token", "x" * 5_000, ""):
        assert await link_question(client, dead) is None
    # when the link is used, or another one expires, or its member is removed
    assert await reset(client, token=token, securityAnswer="Rex") == OK
    assert await link_question(client, token) is None
    expired = await reset_link(client, "alice", "alice@example.com")
    await OneTimeToken.filter(purpose=TokenPurpose.PASSWORD_RESET, used_at=None).update(
        expires_at=utcnow() - timedelta(seconds=1)
    )
    assert await link_question(client, expired) is None
    removed = await reset_link(client, "alice", "alice@example.com")
    await Member.filter(id=alice.id).update(removed_at=utcnow())
    # then: nothing either
    assert await link_question(client, removed) is None


async def test_a_link_out_of_tries_shows_no_question(client: httpx.AsyncClient) -> None:
    # given: a link, and five wrong answers on it
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await reset_link(client, "alice", "alice@example.com")
    for _ in range(5):
        assert await reset(client, token=token, securityAnswer="Fido") == refused(
            "WRONG_SECURITY_ANSWER", "securityAnswer"
        )
    # when / then: the page is told at once that the link is dead, as resetPassword says
    assert await link_question(client, token) is None
    assert await reset(client, token=token) == refused("INVALID_TOKEN", "token")


async def test_the_sms_code_resets_the_password_the_same_way(client: httpx.AsyncClient) -> None:
    # given a member with a confirmed phone, and one without
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY, phone=PHONE)
    bob = await make_member(account, "bob")
    session = await sign_in(client, "alice")
    await request_reset(client, "bob", "SMS")
    assert await OutboxMessage.filter(member_id=bob.id).count() == 0
    # when alice asks for a code by SMS
    await request_reset(client, "alice", "SMS")
    code = await last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    # then a wrong code, or the code with another login, is refused
    assert await reset(client, code=wrong, login="alice") == refused("INVALID_CODE", "code")
    assert await reset(client, code=code, login="bob") == refused("INVALID_CODE", "code")
    assert await reset(client, code="x" * 5_000, login="alice") == refused("INVALID_CODE", "code")
    assert await reset(client, code=code, login="alice", securityAnswer="Fido") == refused(
        "WRONG_SECURITY_ANSWER", "securityAnswer"
    )
    # and the right code with the right answer resets the password, once
    assert await reset(client, code=code, login="alice") == OK
    assert (await gql(client, ME, token=session))["data"]["me"] is None
    await sign_in(client, "alice", OTHER_STRONG_PASSWORD)
    assert await reset(client, code=code, login="alice") == refused("INVALID_CODE", "code")
    assert await last_message("alice@example.com", "PASSWORD_RESET")


async def test_a_weak_password_keeps_the_link_and_five_wrong_answers_kill_it(
    client: httpx.AsyncClient,
) -> None:
    # given a link
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await reset_link(client, "alice", "alice@example.com")
    # when weak passwords are offered with the right answer, the link survives
    for weak in ["password12345", "alice@example.com", "short", "x" * 10_000]:
        assert await reset(client, token=token, newPassword=weak) == refused("WEAK_PASSWORD", "newPassword")
    # and when five wrong answers are given
    for _ in range(5):
        assert await reset(client, token=token, securityAnswer="Fido") == refused(
            "WRONG_SECURITY_ANSWER", "securityAnswer"
        )
    # then the link is dead and the answers counted as sign-in failures (the member is locked)
    assert await reset(client, token=token) == refused("INVALID_TOKEN", "token")
    assert await sign_in_code(client, "alice", STRONG_PASSWORD) == "ACCOUNT_LOCKED"
    assert await ActivityEvent.filter(kind="PASSWORD_RESET_FAILED").count() == 5
    assert await FailedSignIn.filter(ip_address="203.0.113.7").count() == 5
    # and a fresh link resets the password and lifts the lock
    fresh = await reset_link(client, "alice", "alice@example.com")
    assert await reset(client, token=fresh, securityAnswer="x" * 10_000) == refused(
        "WRONG_SECURITY_ANSWER", "securityAnswer"
    )
    assert await reset(client, token=fresh) == OK
    await sign_in(client, "alice", OTHER_STRONG_PASSWORD)
    assert (await Member.get(username="alice")).locked_until is None


async def test_a_fourth_request_within_15_minutes_sends_nothing(client: httpx.AsyncClient) -> None:
    # given three requests
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY, phone=PHONE)
    for channel in ("EMAIL", "SMS", "EMAIL"):
        await request_reset(client, "alice", channel)
    # when a fourth comes, by either channel
    await request_reset(client, "alice@example.com")
    await request_reset(client, "alice", "SMS")
    # then it is answered ok but nothing more is sent
    assert await OutboxMessage.all().count() == 3
    assert await ActivityEvent.filter(kind="PASSWORD_RESET_REQUESTED").count() == 3
    # and once the window has passed, a request is sent again
    await OneTimeToken.all().update(created_at=utcnow() - timedelta(minutes=16))
    await request_reset(client, "alice")
    assert await OutboxMessage.all().count() == 4


async def test_a_throttled_address_is_rate_limited(client: httpx.AsyncClient) -> None:
    # given 20 recent failed sign-ins from the client's address
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    now = utcnow()
    await FailedSignIn.bulk_create([FailedSignIn(ip_address="203.0.113.7", at=now) for _ in range(20)])
    # when / then
    requested = await gql(client, REQUEST, {"input": {"login": "alice"}})
    assert (requested["data"], error_codes(requested)) == (None, ["RATE_LIMITED"])
    assert requested["errors"][0]["extensions"]["retryAfter"] > 0
    inputs = {"token": "x", "newPassword": OTHER_STRONG_PASSWORD, "securityAnswer": "Rex"}
    body = await gql(client, RESET, {"input": inputs})
    assert (body["data"], error_codes(body)) == (None, ["RATE_LIMITED"])
    assert await OutboxMessage.all().count() == 0


async def test_a_secured_member_is_active_again_and_a_removed_one_gets_nothing(
    client: httpx.AsyncClient,
) -> None:
    # given a member secured with "this wasn't me", a removed one and an invited one
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY, status=MemberStatus.DISABLED)
    await make_member(account, "bob", status=MemberStatus.DISABLED)
    await Member.filter(username="bob").update(removed_at=utcnow())
    await make_member(account, "carol", status=MemberStatus.INVITED)
    assert await sign_in_code(client, "alice", STRONG_PASSWORD) == "ACCOUNT_DISABLED"
    # when each asks for a reset
    token = await reset_link(client, "alice", "alice@example.com")
    for login in ("bob", "bob@example.com", "carol", "carol@example.com"):
        await request_reset(client, login)
    # then only alice got a link, and resetting makes her active again
    assert await OutboxMessage.all().count() == 1
    assert await reset(client, token=token) == OK
    assert (await Member.get(id=alice.id)).status == MemberStatus.ACTIVE
    await sign_in(client, "alice", OTHER_STRONG_PASSWORD)


def statement_shapes(statements: list[str]) -> list[str]:
    """The SQL of each statement without its values (tortoise logs values after the SQL)."""
    return [re.sub(r"'[^']*'|\b\d+\b", "?", statement.split(": [")[0]) for statement in statements]


async def test_a_request_does_the_same_work_whether_or_not_the_login_exists(
    client: httpx.AsyncClient,
) -> None:
    # given a real login and an unknown one
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    # when each asks for a reset
    shapes = []
    for login in ("alice", "nobody.here"):
        with count_queries() as statements:
            body = await gql(client, REQUEST, {"input": {"login": login, "channel": "EMAIL"}})
        assert body["data"]["requestPasswordReset"] == OK
        shapes.append(statement_shapes(statements))
    # then both ran the very same statements (one INSERT of the request), and nothing was sent yet
    assert shapes[0] == shapes[1]
    assert [shape.split()[0] for shape in shapes[0]].count("INSERT") == 1
    assert await OutboxMessage.filter(kind=LINK_KIND).count() == 0


async def test_the_worker_sends_the_link_and_takes_over_a_killed_workers_request(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # given two requests: one a live worker holds, one whose worker was killed (its claim lapsed)
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await make_member(account, "bob")
    await request_reset_only(client, "alice")
    await request_reset_only(client, "bob")
    held = await ResetRequest.get(login="bob")
    await ResetRequest.filter(login="alice").update(claimed_until=utcnow() - timedelta(seconds=1))
    await ResetRequest.filter(id=held.id).update(claimed_until=utcnow() + timedelta(seconds=60))
    # when a real worker runs
    await run_worker_burst(settings)
    # then alice's link is sent, once; bob's waits for its holder (or its claim to lapse)
    assert await OutboxMessage.filter(recipient="alice@example.com", kind=LINK_KIND).count() == 1
    assert await OutboxMessage.filter(recipient="bob@example.com", kind=LINK_KIND).count() == 0
    assert await ResetRequest.filter(login="alice").count() == 0
    await run_worker_burst(settings)
    assert await OutboxMessage.filter(recipient="alice@example.com", kind=LINK_KIND).count() == 1


async def request_reset_only(client: httpx.AsyncClient, login: str) -> None:
    body = await gql(client, REQUEST, {"input": {"login": login, "channel": "EMAIL"}})
    assert body["data"]["requestPasswordReset"] == OK, body
