"""Passkeys with a software authenticator: registration after a step-up, sign-in (discoverable or by
username) giving a stepped-up session, step-up; and what is refused: a wrong origin or RP id, a replayed
or expired challenge, a counter that goes back (with its e-mail), another member's or a removed passkey."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.notify.outbox import MessageKind, OutboxMessage
from models.security.models import Passkey, WebAuthnChallenge
from tests.support import gql, last_message, make_account, make_member, sign_in, step_up
from tests.webauthn_device import SoftAuthenticator

BEGIN_REGISTRATION = "mutation { beginPasskeyRegistration { options errors { code } } }"
FINISH_REGISTRATION = """
mutation($name: String!, $credential: String!) {
  finishPasskeyRegistration(name: $name, credential: $credential) {
    passkey { id name } errors { code field }
  }
}
"""
BEGIN_SIGN_IN = """
mutation($username: String) { beginPasskeySignIn(username: $username) { options errors { code } } }
"""
FINISH_SIGN_IN = """
mutation($credential: String!) {
  finishPasskeySignIn(credential: $credential) {
    token member { username passkeys { name lastUsedAt } } errors { code field }
  }
}
"""
BEGIN_STEP_UP = "mutation { beginPasskeyStepUp { options errors { code } } }"
STEP_UP_WITH_PASSKEY = """
mutation($credential: String!) {
  verifyStepUpWithPasskey(credential: $credential) { session { elevatedUntil } errors { code field } }
}
"""
RENAME = """
mutation($id: ID!, $name: String!) {
  renamePasskey(id: $id, name: $name) { passkey { name } errors { code } }
}
"""
REMOVE = "mutation($id: ID!) { removePasskey(id: $id) { ok errors { code } } }"
ME = "{ me { passkeys { id name createdAt lastUsedAt } } }"
REFUSED = [{"code": "INVALID_CREDENTIALS", "field": None}]


async def member_with_passkey(
    client: httpx.AsyncClient, username: str = "alice"
) -> tuple[str, SoftAuthenticator, str]:
    """A stepped-up member's session, their authenticator, and the new passkey's id."""
    account = await make_account(username)
    await make_member(account, username, role=Role.PRIMARY)
    token = await sign_in(client, username)
    await step_up(client, token, f"{username}@example.com")
    device = SoftAuthenticator()
    begun = await gql(client, BEGIN_REGISTRATION, token=token)
    credential = device.create(begun["data"]["beginPasskeyRegistration"]["options"])
    body = await gql(client, FINISH_REGISTRATION, {"name": "Laptop", "credential": credential}, token=token)
    assert body["data"]["finishPasskeyRegistration"]["errors"] == [], body
    return token, device, body["data"]["finishPasskeyRegistration"]["passkey"]["id"]


async def options_for(client: httpx.AsyncClient, username: str | None = None) -> str:
    body = await gql(client, BEGIN_SIGN_IN, {"username": username})
    assert body["data"]["beginPasskeySignIn"]["errors"] == [], body
    options: str = body["data"]["beginPasskeySignIn"]["options"]
    return options


async def finish(client: httpx.AsyncClient, credential: str) -> dict[str, Any]:
    body = await gql(client, FINISH_SIGN_IN, {"credential": credential})
    payload: dict[str, Any] = body["data"]["finishPasskeySignIn"]
    return payload


async def summaries(kind: str) -> list[str]:
    return [event.summary for event in await ActivityEvent.filter(kind=kind).order_by("id")]


async def test_registration_needs_a_step_up_and_asks_for_verification_and_a_resident_key(
    client: httpx.AsyncClient,
) -> None:
    # given a member without a step-up
    account = await make_account()
    await make_member(account, "alice")
    token = await sign_in(client, "alice")
    # when they begin, then step up and begin
    before = await gql(client, BEGIN_REGISTRATION, token=token)
    await step_up(client, token, "alice@example.com")
    after = await gql(client, BEGIN_REGISTRATION, token=token)
    # then
    assert before["errors"][0]["extensions"]["code"] == "STEP_UP_REQUIRED"
    options = json.loads(after["data"]["beginPasskeyRegistration"]["options"])
    assert options["rp"] == {"id": "portal.test", "name": "Account Gateway"}
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["excludeCredentials"] == []


async def test_a_registered_passkey_signs_in_without_a_username_and_steps_up(
    client: httpx.AsyncClient,
) -> None:
    # given a registered passkey
    token, device, passkey_id = await member_with_passkey(client)
    # when it signs in with discoverable options
    payload = await finish(client, device.get(await options_for(client)))
    # then a session, stepped up, as signIn gives one (cookie and CSRF)
    assert payload["errors"] == []
    assert payload["member"]["username"] == "alice"
    assert payload["member"]["passkeys"][0]["name"] == "Laptop"
    assert payload["member"]["passkeys"][0]["lastUsedAt"] is not None
    assert client.cookies.get("session") == payload["token"]
    assert client.cookies.get("csrf")
    generate = await gql(client, BEGIN_REGISTRATION, token=payload["token"])
    excluded = json.loads(generate["data"]["beginPasskeyRegistration"]["options"])["excludeCredentials"]
    assert [entry["id"] for entry in excluded] == [json.loads(device.get(await options_for(client)))["id"]]
    row = await Passkey.get()
    assert (row.sign_count, row.transports, row.aaguid) == (
        1,
        ["internal"],
        "00000000-0000-0000-0000-000000000000",
    )
    listed = await gql(client, ME, token=token)
    assert [p["id"] for p in listed["data"]["me"]["passkeys"]] == [passkey_id]
    assert "publicKey" not in json.dumps(listed)
    assert (await last_message("alice@example.com", "PASSKEY_CHANGED")).subject == "A passkey was added"
    assert await summaries("PASSKEY_ADDED") == ['Alice added the passkey "Laptop"']
    assert await summaries("SIGN_IN") == ["Alice signed in (password)", "Alice signed in (passkey)"]


async def test_a_username_lists_its_passkeys_and_unknown_names_answer_alike(
    client: httpx.AsyncClient,
) -> None:
    # given alice's passkey
    _, device, _ = await member_with_passkey(client)
    # when options are asked for alice and for a name nobody has (twice)
    alice = json.loads(await options_for(client, "alice"))
    nobody = json.loads(await options_for(client, "nobody"))
    again = json.loads(await options_for(client, "nobody"))
    # then each lists one credential; the stand-in is stable; alice's signs in
    assert len(alice["allowCredentials"]) == len(nobody["allowCredentials"]) == 1
    assert nobody["allowCredentials"][0]["id"] == again["allowCredentials"][0]["id"]
    assert nobody["userVerification"] == "required"
    assert (await finish(client, device.get(json.dumps(alice))))["errors"] == []


async def test_wrong_origin_and_wrong_rp_id_are_refused_and_counted(client: httpx.AsyncClient) -> None:
    # given a passkey
    _, device, _ = await member_with_passkey(client)
    # when it answers for another origin, then for another RP id
    wrong_origin = await finish(client, device.get(await options_for(client), origin="https://evil.test"))
    wrong_rp = await finish(client, device.get(await options_for(client), rp_id="evil.test"))
    # then both are refused like a wrong password, and logged
    assert wrong_origin["errors"] == REFUSED
    assert wrong_rp["errors"] == REFUSED
    assert await summaries("PASSKEY_FAILED") == ["A passkey sign-in or step-up as alice failed"] * 2


async def test_a_replayed_or_expired_challenge_is_refused(client: httpx.AsyncClient) -> None:
    # given a passkey and an assertion that signed in
    _, device, _ = await member_with_passkey(client)
    assertion = device.get(await options_for(client))
    first = await finish(client, assertion)
    # when it is sent again; and when a fresh challenge is answered after 5 minutes
    replayed = await finish(client, assertion)
    late = await options_for(client)
    await WebAuthnChallenge.filter(used_at=None).update(expires_at=utcnow() - timedelta(seconds=1))
    expired = await finish(client, device.get(late))
    # then
    assert first["errors"] == []
    assert replayed["errors"] == REFUSED
    assert expired["errors"] == REFUSED


async def test_a_counter_that_goes_back_is_refused_and_mailed(client: httpx.AsyncClient) -> None:
    # given a passkey used with counter 5
    _, device, _ = await member_with_passkey(client)
    assert (await finish(client, device.get(await options_for(client), sign_count=5)))["errors"] == []
    # when a copy answers with counter 3
    copied = await finish(client, device.get(await options_for(client), sign_count=3))
    # then refused, the member alerted and the count kept
    assert copied["errors"] == REFUSED
    alert = await last_message("alice@example.com", "PASSKEY_COUNTER_WENT_BACK")
    assert '"Laptop"' in alert.body
    assert await summaries("PASSKEY_COUNTER_WENT_BACK") == [
        'The passkey "Laptop" of Alice answered with a counter that went back'
    ]
    assert (await Passkey.get()).sign_count == 5


async def test_another_members_passkey_does_not_answer_for_a_username(client: httpx.AsyncClient) -> None:
    # given alice's and bob's passkeys
    _, alice_device, _ = await member_with_passkey(client, "alice")
    await member_with_passkey(client, "bob")
    # when alice's passkey answers options asked for bob
    payload = await finish(client, alice_device.get(await options_for(client, "bob")))
    # then
    assert payload["errors"] == REFUSED


async def test_a_renamed_then_removed_passkey_no_longer_signs_in(client: httpx.AsyncClient) -> None:
    # given a passkey
    token, device, passkey_id = await member_with_passkey(client)
    # when it is renamed, then removed
    renamed = await gql(client, RENAME, {"id": passkey_id, "name": "Phone"}, token=token)
    removed = await gql(client, REMOVE, {"id": passkey_id}, token=token)
    payload = await finish(client, device.get(await options_for(client)))
    # then
    assert renamed["data"]["renamePasskey"] == {"passkey": {"name": "Phone"}, "errors": []}
    assert removed["data"]["removePasskey"] == {"ok": True, "errors": []}
    assert payload["errors"] == REFUSED
    assert await summaries("PASSKEY_RENAMED") == ['Alice renamed the passkey "Laptop" to "Phone"']
    assert await summaries("PASSKEY_REMOVED") == ['Alice removed the passkey "Phone"']
    assert (await last_message("alice@example.com", "PASSKEY_CHANGED")).subject == "A passkey was removed"


async def test_a_passkey_steps_a_session_up_once_per_challenge(client: httpx.AsyncClient) -> None:
    # given a member with a passkey
    token, device, _ = await member_with_passkey(client)
    # when they step up with it, then replay the assertion
    begun = await gql(client, BEGIN_STEP_UP, token=token)
    assertion = device.get(begun["data"]["beginPasskeyStepUp"]["options"])
    stepped = await gql(client, STEP_UP_WITH_PASSKEY, {"credential": assertion}, token=token)
    replayed = await gql(client, STEP_UP_WITH_PASSKEY, {"credential": assertion}, token=token)
    # then
    assert stepped["data"]["verifyStepUpWithPasskey"]["errors"] == []
    assert stepped["data"]["verifyStepUpWithPasskey"]["session"]["elevatedUntil"] is not None
    assert replayed["data"]["verifyStepUpWithPasskey"]["errors"] == [
        {"code": "INVALID_PASSKEY", "field": "credential"}
    ]


FINISH_ON_DEVICE = """
mutation($credential: String!, $deviceId: String!) {
  finishPasskeySignIn(credential: $credential, deviceId: $deviceId) { token errors { code } }
}
"""


async def test_a_passkey_sign_in_from_a_new_device_alerts_the_member_once(client: httpx.AsyncClient) -> None:
    # given a member with a passkey, and the new-sign-in alerts sent so far
    _, device, _ = await member_with_passkey(client)
    before = await OutboxMessage.filter(recipient="alice@example.com", kind=MessageKind.NEW_SIGN_IN).count()

    async def sign_in_on(device_id: str) -> None:
        credential = device.get(await options_for(client))
        body = await gql(client, FINISH_ON_DEVICE, {"credential": credential, "deviceId": device_id})
        assert body["data"]["finishPasskeySignIn"]["errors"] == [], body

    # when the passkey signs in from a device never seen, then from it again
    await sign_in_on("new-phone")
    await sign_in_on("new-phone")
    # then one alert, as after a password from a new device: the second time the device is familiar
    after = await OutboxMessage.filter(recipient="alice@example.com", kind=MessageKind.NEW_SIGN_IN).count()
    assert after == before + 1
