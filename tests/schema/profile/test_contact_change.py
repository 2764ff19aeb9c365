"""updateProfile with a new e-mail or phone, confirmed by confirmContactChange: a code goes to the new
address or number, the old e-mail is told, and nothing changes until the code is entered."""

from __future__ import annotations

import asyncio

import httpx

from models.access import Role
from models.activity import ActivityEvent
from models.members.models import Channel, Member
from models.notify.outbox import OutboxMessage
from tests.support import (
    error_codes,
    gql,
    last_code,
    last_message,
    make_account,
    make_member,
    sign_in,
    step_up,
)

UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    member { displayName email phone pendingEmail pendingPhone }
    errors { code field }
  }
}
"""
CONFIRM = """
mutation($code: String!) {
  confirmContactChange(code: $code) { member { email phone pendingEmail pendingPhone } errors { code field } }
}
"""
OLD_EMAIL = "alice@example.com"
NEW_EMAIL = "alice.new@example.net"
OLD_PHONE = "+13125550100"
NEW_PHONE = "+14155550132"


async def signed_in(client: httpx.AsyncClient, *, phone: str | None = None, stepped_up: bool = True) -> str:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY, phone=phone)
    token = await sign_in(client, "alice")
    if stepped_up:
        await step_up(client, token, OLD_EMAIL)
    return token


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_new_email_needs_step_up(client: httpx.AsyncClient) -> None:
    # given
    token = await signed_in(client, stepped_up=False)
    # when
    body = await gql(client, UPDATE_PROFILE, {"input": {"email": NEW_EMAIL}}, token=token)
    # then
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    member = await Member.get(username="alice")
    assert (member.email, member.pending_email) == (OLD_EMAIL, None)
    assert not await OutboxMessage.filter(recipient=NEW_EMAIL).exists()


async def test_new_email_is_pending_until_confirmed_by_the_code_sent_to_it(client: httpx.AsyncClient) -> None:
    # given
    token = await signed_in(client)
    # when
    body = await gql(client, UPDATE_PROFILE, {"input": {"email": " Alice.New@EXAMPLE.net "}}, token=token)
    # then
    payload = body["data"]["updateProfile"]
    assert payload["errors"] == []
    assert payload["member"]["email"] == OLD_EMAIL
    assert payload["member"]["pendingEmail"] == "Alice.New@example.net"
    await gql(client, UPDATE_PROFILE, {"input": {"email": NEW_EMAIL}}, token=token)
    code = await last_code(NEW_EMAIL)
    notice = await last_message(OLD_EMAIL, "CONTACT_CHANGE_REQUESTED")
    assert notice.channel == Channel.EMAIL
    assert NEW_EMAIL not in notice.body  # the notice shows only a masked address
    # when: a wrong code, then the right one, then the right one again
    wrong = await gql(client, CONFIRM, {"code": other_code(code)}, token=token)
    right = await gql(client, CONFIRM, {"code": code}, token=token)
    again = await gql(client, CONFIRM, {"code": code}, token=token)
    # then
    assert wrong["data"]["confirmContactChange"] == {
        "member": None,
        "errors": [{"code": "INVALID_CODE", "field": "code"}],
    }
    assert right["data"]["confirmContactChange"] == {
        "member": {"email": NEW_EMAIL, "phone": None, "pendingEmail": None, "pendingPhone": None},
        "errors": [],
    }
    assert again["data"]["confirmContactChange"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    changed = await last_message(OLD_EMAIL, "CONTACT_CHANGED")
    assert changed.subject == "Your e-mail address was changed"
    me = await gql(client, "{ me { email pendingEmail } }", token=token)
    assert me == {"data": {"me": {"email": NEW_EMAIL, "pendingEmail": None}}}
    kinds = await ActivityEvent.filter(kind__startswith="CONTACT_CHANGE").values_list("kind", flat=True)
    assert sorted(kinds) == [
        "CONTACT_CHANGED",
        "CONTACT_CHANGE_FAILED",  # the wrong code and the used one, through the one guard
        "CONTACT_CHANGE_FAILED",
        "CONTACT_CHANGE_REQUESTED",
        "CONTACT_CHANGE_REQUESTED",
    ]


async def test_new_phone_is_confirmed_by_sms_to_the_new_number(client: httpx.AsyncClient) -> None:
    # given
    token = await signed_in(client, phone=OLD_PHONE)
    # when
    body = await gql(client, UPDATE_PROFILE, {"input": {"phone": "(415) 555-0132"}}, token=token)
    # then
    payload = body["data"]["updateProfile"]
    assert payload["errors"] == []
    assert (payload["member"]["phone"], payload["member"]["pendingPhone"]) == (OLD_PHONE, NEW_PHONE)
    sms = await last_message(NEW_PHONE, "CODE")
    assert sms.channel == Channel.SMS
    await last_message(OLD_EMAIL, "CONTACT_CHANGE_REQUESTED")
    # when
    wrong = await gql(client, CONFIRM, {"code": other_code(await last_code(NEW_PHONE))}, token=token)
    right = await gql(client, CONFIRM, {"code": await last_code(NEW_PHONE)}, token=token)
    # then
    assert wrong["data"]["confirmContactChange"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    assert right["data"]["confirmContactChange"] == {
        "member": {"email": OLD_EMAIL, "phone": NEW_PHONE, "pendingEmail": None, "pendingPhone": None},
        "errors": [],
    }
    member = await Member.get(username="alice")
    assert member.phone_confirmed is True
    await last_message(OLD_EMAIL, "CONTACT_CHANGED")


async def test_a_new_phone_for_a_member_without_one_also_needs_step_up(client: httpx.AsyncClient) -> None:
    token = await signed_in(client, stepped_up=False)
    body = await gql(client, UPDATE_PROFILE, {"input": {"phone": NEW_PHONE}}, token=token)
    assert error_codes(body) == ["STEP_UP_REQUIRED"]


async def test_the_same_email_or_confirmed_phone_needs_no_step_up_and_sends_nothing(
    client: httpx.AsyncClient,
) -> None:
    # given
    token = await signed_in(client, phone=OLD_PHONE, stepped_up=False)
    # when
    body = await gql(client, UPDATE_PROFILE, {"input": {"email": OLD_EMAIL, "phone": OLD_PHONE}}, token=token)
    # then
    assert body["data"]["updateProfile"]["errors"] == []
    assert body["data"]["updateProfile"]["member"]["pendingEmail"] is None
    assert not await OutboxMessage.filter(kind="CODE").exists()


async def test_email_and_phone_are_changed_one_at_a_time(client: httpx.AsyncClient) -> None:
    # given
    token = await signed_in(client, phone=OLD_PHONE)
    # when
    body = await gql(client, UPDATE_PROFILE, {"input": {"email": NEW_EMAIL, "phone": NEW_PHONE}}, token=token)
    # then
    assert body["data"]["updateProfile"] == {
        "member": None,
        "errors": [{"code": "INVALID_INPUT", "field": "phone"}],
    }
    member = await Member.get(username="alice")
    assert (member.pending_email, member.pending_phone) == (None, None)


async def test_a_later_request_replaces_the_pending_one(client: httpx.AsyncClient) -> None:
    # given: an e-mail change waits for its code
    token = await signed_in(client, phone=OLD_PHONE)
    await gql(client, UPDATE_PROFILE, {"input": {"email": NEW_EMAIL}}, token=token)
    email_code = await last_code(NEW_EMAIL)
    # when: a phone change is asked for
    body = await gql(client, UPDATE_PROFILE, {"input": {"phone": NEW_PHONE}}, token=token)
    # then: the e-mail code no longer works and the pending e-mail is gone
    assert body["data"]["updateProfile"]["member"]["pendingEmail"] is None
    stale = await gql(client, CONFIRM, {"code": email_code}, token=token)
    if email_code != await last_code(NEW_PHONE):
        assert stale["data"]["confirmContactChange"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    member = await Member.get(username="alice")
    assert member.email == OLD_EMAIL


async def test_two_concurrent_confirmations_with_the_right_code_succeed_once(
    client: httpx.AsyncClient,
) -> None:
    # given
    token = await signed_in(client)
    await gql(client, UPDATE_PROFILE, {"input": {"email": NEW_EMAIL}}, token=token)
    code = await last_code(NEW_EMAIL)
    # when
    first, second = await asyncio.gather(
        gql(client, CONFIRM, {"code": code}, token=token), gql(client, CONFIRM, {"code": code}, token=token)
    )
    # then
    errors = sorted(
        [e["code"] for e in first["data"]["confirmContactChange"]["errors"]]
        + [e["code"] for e in second["data"]["confirmContactChange"]["errors"]]
    )
    assert errors == ["INVALID_CODE"]
    assert await ActivityEvent.filter(kind="CONTACT_CHANGED").count() == 1
    assert await OutboxMessage.filter(kind="CONTACT_CHANGED").count() == 1


async def test_confirm_contact_change_without_a_pending_change_or_session(client: httpx.AsyncClient) -> None:
    token = await signed_in(client, stepped_up=False)
    body = await gql(client, CONFIRM, {"code": "123456"}, token=token)
    assert body["data"]["confirmContactChange"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    body = await gql(client, CONFIRM, {"code": "123456"})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_an_address_someone_else_on_the_account_uses_is_refused(client: httpx.AsyncClient) -> None:
    # given: alice and bob on one account
    token = await signed_in(client)
    alice = await Member.get(username="alice")
    await make_member(await alice.account, "bob")
    # when: alice asks for bob's address, in other capitals
    body = await gql(client, UPDATE_PROFILE, {"input": {"email": "BOB@example.com"}}, token=token)
    # then: refused at the field, nothing pending, no code sent
    assert body["data"]["updateProfile"] == {
        "member": None,
        "errors": [{"code": "EMAIL_TAKEN", "field": "email"}],
    }
    assert (await Member.get(username="alice")).pending_email is None
    assert not await OutboxMessage.filter(recipient__iexact="bob@example.com").exists()
