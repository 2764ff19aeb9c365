"""What a partner app may do with an API key sent as `Authorization: Bearer`."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.access import Permission, Role
from models.db.clock import utcnow
from models.members.models import Member, MemberStatus
from models.partners.api_keys import ApiKey
from schema import schema
from schema.ids import to_global_id
from tests.schema.partners.support import household, make_key
from tests.support import error_codes, gql, make_member, sign_in

ACCOUNT = "{ me { id } account { number name timeZone serviceAddress { city } } }"
MEMBERS = "{ account { number members { totalCount } } }"
ACTIVITY = "{ account { activity { totalCount } } }"
PRIMARY = "{ account { primary { displayName } } }"
BILLING = "{ me { id } account { balance { amount } statements { totalCount } } }"
PAY_BILL = """
mutation($input: PayBillInput!) { payBill(input: $input) { payment { id } errors { code } } }
"""
MEMBER_MUTATIONS = {
    "signOut": "mutation { signOut { ok } }",
    "changePassword": ('mutation { changePassword(input: {currentPassword: "a", newPassword: "b"}) { ok } }'),
    "inviteMember": (
        "mutation { inviteMember(input: "
        '{displayName: "Eve", email: "eve@example.com", role: STANDARD}) { member { id } } }'
    ),
    "updateProfile": 'mutation { updateProfile(input: {displayName: "Mallory"}) { member { id } } }',
    "requestStepUpCode": "mutation { requestStepUpCode { challenge { id } } }",
    "revokeApiKey": 'mutation { revokeApiKey(id: "x") { ok } }',
}


async def test_key_reads_account_within_its_permissions(client: httpx.AsyncClient) -> None:
    # given
    account, primary = await household()
    _, secret = await make_key(primary, Permission.VIEW_BILLING)
    # when
    body = await gql(client, ACCOUNT, token=secret)
    members = await gql(client, MEMBERS, token=secret)
    activity = await gql(client, ACTIVITY, token=secret)
    primary_body = await gql(client, PRIMARY, token=secret)
    # then
    assert "errors" not in body
    assert body["data"] == {
        "me": None,
        "account": {
            "number": account.number,
            "name": "The Smiths",
            "timeZone": "America/Chicago",
            "serviceAddress": None,
        },
    }
    assert members["data"]["account"] == {"number": account.number, "members": None}
    assert error_codes(members) == ["FORBIDDEN"]
    assert activity["data"]["account"] == {"activity": None}
    assert error_codes(activity) == ["FORBIDDEN"]
    assert primary_body["data"] == {"account": None}  # primary is non-null: the null reaches account
    assert error_codes(primary_body) == ["FORBIDDEN"]


async def test_acceptance_view_billing_key(client: httpx.AsyncClient) -> None:
    """An API key with [VIEW_BILLING] reads balance and statements, gets FORBIDDEN on members and
    payBill, null for `me`; after revoke it gets UNAUTHENTICATED."""
    # given
    from tests.billing_support import add_card, issue

    account, primary = await household()
    await issue(account, 7999)
    card = await add_card(account)
    _, secret = await make_key(primary, Permission.VIEW_BILLING)
    # when
    billing = await gql(client, BILLING, token=secret)
    members = await gql(client, MEMBERS, token=secret)
    pay = await gql(
        client,
        PAY_BILL,
        {"input": {"paymentMethodId": to_global_id("PaymentMethod", card.id), "idempotencyKey": "k1"}},
        token=secret,
    )
    # then
    assert "errors" not in billing
    assert billing["data"] == {
        "me": None,
        "account": {"balance": {"amount": 7999}, "statements": {"totalCount": 1}},
    }
    assert members["data"]["account"]["members"] is None
    assert error_codes(members) == ["FORBIDDEN"]
    assert pay["data"] is None
    assert error_codes(pay) == ["FORBIDDEN"]
    # when: the primary revokes it
    token = await sign_in(client, "pat")
    key = await ApiKey.get()
    revoke = await gql(
        client,
        "mutation($id: ID!) { revokeApiKey(id: $id) { ok } }",
        {"id": to_global_id("ApiKey", key.id)},
        token=token,
    )
    assert revoke["data"]["revokeApiKey"] == {"ok": True}
    after = await gql(client, BILLING, token=secret)
    # then
    assert after["data"] == {"me": None, "account": None}
    assert error_codes(after) == ["UNAUTHENTICATED"]


async def test_key_calls_no_member_or_security_mutation(client: httpx.AsyncClient) -> None:
    # given: a key with every permission a key may have
    _, primary = await household()
    permissions = [p for p in Permission if p is not Permission.MANAGE_MEMBERS]
    _, secret = await make_key(primary, *permissions)
    for name, document in MEMBER_MUTATIONS.items():
        # when
        body = await gql(client, document, token=secret)
        # then
        assert body["data"] is None, name
        assert error_codes(body) == ["FORBIDDEN"], name
    assert (await Member.get(id=primary.id)).display_name == "Pat"


async def test_key_is_bounded_by_its_creator_now(client: httpx.AsyncClient) -> None:
    # given: a key made by the primary, who then hands the primary role on and becomes a MANAGER
    account, primary = await household()
    _, secret = await make_key(primary, Permission.VIEW_BILLING, Permission.VIEW_ACTIVITY)
    await Member.filter(id=primary.id).update(role=Role.STANDARD)
    # when
    body = await gql(client, "{ account { activity { totalCount } balance { amount } } }", token=secret)
    # then: a STANDARD creator without grants lends the key nothing
    assert body["data"]["account"] == {"activity": None, "balance": None}
    assert sorted(error_codes(body)) == ["FORBIDDEN", "FORBIDDEN"]


async def test_key_of_disabled_or_removed_creator_is_refused(client: httpx.AsyncClient) -> None:
    # given
    account, primary = await household()
    standard = await make_member(account, "sam", grants=(Permission.VIEW_BILLING,))
    _, disabled_secret = await make_key(primary, Permission.VIEW_BILLING)
    _, removed_secret = await make_key(standard, Permission.VIEW_BILLING)
    await Member.filter(id=primary.id).update(status=MemberStatus.DISABLED)
    await Member.filter(id=standard.id).update(removed_at=utcnow())
    for secret in (disabled_secret, removed_secret):
        # when
        body = await gql(client, "{ account { number } }", token=secret)
        # then
        assert body["data"] == {"account": None}
        assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_unknown_key_is_unauthenticated(client: httpx.AsyncClient) -> None:
    # given
    await household()
    # when
    body = await gql(client, "{ me { id } account { number } }", token="agk_" + "A" * 43)
    # then
    assert body["data"] == {"me": None, "account": None}
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_key_in_session_cookie_is_ignored(client: httpx.AsyncClient) -> None:
    # given
    _, primary = await household()
    _, secret = await make_key(primary, Permission.VIEW_BILLING)
    client.cookies.set("session", secret)
    # when
    body = await gql(client, "{ account { number } }")
    # then
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_last_used_at_is_set_and_throttled_to_once_a_minute(client: httpx.AsyncClient) -> None:
    # given
    _, primary = await household()
    key, secret = await make_key(primary, Permission.VIEW_BILLING)
    # when
    await gql(client, "{ account { number } }", token=secret)
    first = (await ApiKey.get(id=key.id)).last_used_at
    await gql(client, "{ account { number } }", token=secret)
    second = (await ApiKey.get(id=key.id)).last_used_at
    # then
    assert first is not None
    assert utcnow() - first < timedelta(seconds=5)
    assert second == first
    # when: a minute later
    earlier = first - timedelta(seconds=61)
    await ApiKey.filter(id=key.id).update(last_used_at=earlier)
    await gql(client, "{ account { number } }", token=secret)
    # then
    third = (await ApiKey.get(id=key.id)).last_used_at
    assert third is not None
    assert third > first
    # and the primary sees it
    token = await sign_in(client, "pat")
    listed = await gql(client, "{ account { apiKeys { lastUsedAt } } }", token=token)
    assert listed["data"]["account"]["apiKeys"][0]["lastUsedAt"] is not None


def test_balance_is_in_the_schema() -> None:
    """The acceptance test above reads billing fields; fail loudly if they ever disappear."""
    sdl = schema.as_str()
    assert "balance: Money" in sdl


async def test_a_pay_bills_key_pays_and_the_payment_is_logged_without_an_actor(
    client: httpx.AsyncClient,
) -> None:
    # given a key with PAY_BILLS and an open statement
    from models.activity import ActivityEvent
    from tests.billing_support import add_card, issue

    account, primary = await household()
    await issue(account, 2500)
    card = await add_card(account)
    _, secret = await make_key(primary, Permission.PAY_BILLS)
    # when
    pay = await gql(
        client,
        PAY_BILL,
        {"input": {"paymentMethodId": to_global_id("PaymentMethod", card.id), "idempotencyKey": "partner-1"}},
        token=secret,
    )
    # then
    assert pay["data"]["payBill"]["errors"] == []
    event = await ActivityEvent.get(kind="PAYMENT_SUCCEEDED")
    assert event.actor_id is None
