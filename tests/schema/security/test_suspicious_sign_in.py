"""Suspicious sign-ins: alerts for new devices, "this wasn't me", and challenges when there is risk."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from models.security.models import OneTimeToken, TokenPurpose
from models.security.recovery import complete_reset
from schema.ids import to_global_id
from tests.support import (
    SIGN_IN,
    STRONG_PASSWORD,
    gql,
    last_code,
    last_message,
    make_account,
    make_member,
    sign_in,
    token_in,
)

SECURE = "mutation($token: String!) { secureAccount(token: $token) { ok errors { code field } } }"
VERIFY = """
mutation($input: VerifySignInInput!) {
  verifySignIn(input: $input) { token member { username } errors { code field } }
}
"""
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)


async def attempt(client: httpx.AsyncClient, password: str, **extra: str) -> dict[str, object]:
    body = await gql(client, SIGN_IN, {"input": {"username": "alice", "password": password, **extra}})
    payload: dict[str, object] = body["data"]["signIn"]
    return payload


async def test_new_device_gets_a_session_and_an_alert_with_a_secure_link(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "boss", role=Role.PRIMARY)
    await make_member(account, "alice", role=Role.MANAGER)
    # when alice signs in from a phone never seen
    body = await gql(
        client,
        SIGN_IN,
        {"input": {"username": "alice", "password": STRONG_PASSWORD, "deviceId": "phone-1"}},
        headers={"user-agent": IPHONE},
    )
    # then a session, and an alert naming device, IP and time, with the "this wasn't me" link
    assert body["data"]["signIn"]["errors"] == []
    token = body["data"]["signIn"]["token"]
    alert = await last_message("alice@example.com", "NEW_SIGN_IN")
    assert "Mobile Safari on iOS (iPhone)" in alert.body
    assert "203.0.113.7" in alert.body
    assert "http://portal.test/secure-account?token=" in alert.body
    # when the link is followed
    secured = await gql(client, SECURE, {"token": token_in(alert.body)})
    # then every session ended, sign-in answers ACCOUNT_DISABLED, the primary is told, it is logged
    assert secured["data"]["secureAccount"] == {"ok": True, "errors": []}
    assert (await gql(client, "{ me { username } }", token=token))["data"]["me"] is None
    refused = await attempt(client, STRONG_PASSWORD, deviceId="phone-1")
    assert [e["code"] for e in refused["errors"]] == ["ACCOUNT_DISABLED"]  # type: ignore[attr-defined, index]
    await last_message("boss@example.com", "ACCOUNT_SECURED")
    assert await ActivityEvent.filter(kind="ACCOUNT_SECURED").count() == 1
    again = await gql(client, SECURE, {"token": token_in(alert.body)})
    assert again["data"]["secureAccount"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]


async def test_familiar_devices_and_browsers_get_no_alert(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await sign_in(client, "alice", deviceId="laptop")
    await sign_in(client, "alice", deviceId="laptop")
    assert await OutboxMessage.filter(kind="NEW_SIGN_IN").count() == 1
    # a browser without deviceId is known by its device cookie after its first sign-in
    await sign_in(client, "alice")
    await sign_in(client, "alice")
    assert "device" in client.cookies
    assert await OutboxMessage.filter(kind="NEW_SIGN_IN").count() == 2


async def test_alert_by_sms_when_the_member_chose_it(client: httpx.AsyncClient) -> None:
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY, phone="+13125550142")
    member.notification_preferences = {**member.notification_preferences, "security": ["EMAIL", "SMS"]}
    await member.save()
    await sign_in(client, "alice", deviceId="tablet")
    sms = await last_message("+13125550142", "NEW_SIGN_IN")
    assert sms.channel == "SMS"


async def test_three_failures_then_a_new_device_is_challenged(client: httpx.AsyncClient) -> None:
    # given three recent failures
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    for _ in range(3):
        await attempt(client, "wrong password!!")
    # when the right password comes from a new device
    payload = await attempt(client, STRONG_PASSWORD, deviceId="new-laptop")
    # then a challenge, no token
    assert payload["token"] is None
    assert payload["errors"] == []
    challenge = payload["challenge"]
    assert challenge == {"id": challenge["id"], "channels": ["EMAIL"], "sentTo": "a***@example.com"}  # type: ignore[index]
    code = await last_code("alice@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    body = await gql(client, VERIFY, {"input": {"challengeId": challenge["id"], "code": wrong}})  # type: ignore[index]
    assert body["data"]["verifySignIn"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    body = await gql(client, VERIFY, {"input": {"challengeId": challenge["id"], "code": code}})  # type: ignore[index]
    assert body["data"]["verifySignIn"]["errors"] == []
    assert body["data"]["verifySignIn"]["member"] == {"username": "alice"}
    token = body["data"]["verifySignIn"]["token"]
    assert (await gql(client, "{ me { username } }", token=token))["data"]["me"] == {"username": "alice"}
    used = await gql(client, VERIFY, {"input": {"challengeId": challenge["id"], "code": code}})  # type: ignore[index]
    assert used["data"]["verifySignIn"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    # the device is now familiar: no challenge next time
    assert (await attempt(client, STRONG_PASSWORD, deviceId="new-laptop"))["token"]


async def test_bad_challenge_ids_and_codes_are_refused(client: httpx.AsyncClient) -> None:
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    for challenge_id, code in [
        ("", "123456"),
        ("garbage", "123456"),
        (to_global_id("Challenge", 99999), "123456"),
        (to_global_id("Member", member.id), "123456"),
    ]:
        body = await gql(client, VERIFY, {"input": {"challengeId": challenge_id, "code": code}})
        assert body["data"]["verifySignIn"]["errors"] == [{"code": "INVALID_CODE", "field": "code"}]
    assert (await Member.get(id=member.id)).status == "ACTIVE"


async def test_each_alerts_link_stays_valid_until_a_password_reset(client: httpx.AsyncClient) -> None:
    # given alice signs in from two new devices: two alerts, two links
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await sign_in(client, "alice", deviceId="phone-1")
    await sign_in(client, "alice", deviceId="tablet-2")
    alerts = await OutboxMessage.filter(recipient="alice@example.com", kind="NEW_SIGN_IN").order_by("id")
    first, second = (token_in(alert.body) for alert in alerts)
    # when the earlier alert's link is followed after the later sign-in
    secured = await gql(client, SECURE, {"token": first})
    # then it still works (a later sign-in, perhaps the intruder's, does not void it)
    assert secured["data"]["secureAccount"] == {"ok": True, "errors": []}
    # and once the password is reset, the other alert's link is void
    member = await Member.get(username="alice")
    row = await OneTimeToken.filter(
        member_id=member.id, purpose=TokenPurpose.SECURE_ACCOUNT, used_at=None
    ).first()
    assert row is not None
    reset_row = await OneTimeToken.create(
        member_id=member.id,
        purpose=TokenPurpose.PASSWORD_RESET,
        token_hash="0" * 64,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(hours=1),
    )
    assert await complete_reset(member, reset_row, member.password_hash or "", None)
    again = await gql(client, SECURE, {"token": second})
    assert again["data"]["secureAccount"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]
