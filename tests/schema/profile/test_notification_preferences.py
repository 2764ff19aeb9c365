"""updateNotificationPreferences: topics left out are kept, security keeps EMAIL, SMS needs a phone."""

from __future__ import annotations

import httpx

from models.activity import ActivityEvent
from models.members.models import Member, default_notification_preferences
from tests.support import error_codes, gql, make_account, make_member, sign_in

UPDATE = """
mutation($input: NotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    notificationPreferences { billing serviceChanges outages security }
    errors { code field }
  }
}
"""
ME = "{ me { notificationPreferences { billing serviceChanges outages security } } }"


async def test_update_is_read_back_through_me(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "carol", phone="+13125550100")
    token = await sign_in(client, "carol")
    # when
    body = await gql(
        client,
        UPDATE,
        {"input": {"billing": ["SMS", "EMAIL", "SMS"], "outages": [], "security": ["EMAIL", "SMS"]}},
        token=token,
    )
    # then
    expected = {
        "billing": ["SMS", "EMAIL"],
        "serviceChanges": ["EMAIL"],
        "outages": [],
        "security": ["EMAIL", "SMS"],
    }
    assert body["data"]["updateNotificationPreferences"] == {
        "notificationPreferences": expected,
        "errors": [],
    }
    assert await gql(client, ME, token=token) == {"data": {"me": {"notificationPreferences": expected}}}
    assert await ActivityEvent.filter(kind="NOTIFICATION_PREFERENCES_UPDATED").count() == 1


async def test_security_must_keep_email(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "carol", phone="+13125550100")
    token = await sign_in(client, "carol")
    # when
    body = await gql(client, UPDATE, {"input": {"billing": [], "security": ["SMS"]}}, token=token)
    # then
    assert body["data"]["updateNotificationPreferences"] == {
        "notificationPreferences": None,
        "errors": [{"code": "INVALID_CHANNEL", "field": "security"}],
    }
    assert (await Member.get(username="carol")).notification_preferences == default_notification_preferences()


async def test_sms_needs_a_confirmed_phone(client: httpx.AsyncClient) -> None:
    # given: a phone that was never confirmed
    account = await make_account()
    member = await make_member(account, "carol", phone="+13125550100")
    await Member.filter(id=member.id).update(phone_confirmed=False)
    token = await sign_in(client, "carol")
    # when
    body = await gql(client, UPDATE, {"input": {"outages": ["SMS"]}}, token=token)
    # then
    assert body["data"]["updateNotificationPreferences"]["errors"] == [
        {"code": "INVALID_PHONE", "field": "outages"}
    ]
    assert (await Member.get(username="carol")).notification_preferences == default_notification_preferences()


async def test_unauthenticated(client: httpx.AsyncClient) -> None:
    body = await gql(client, UPDATE, {"input": {"billing": ["EMAIL"]}})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None
