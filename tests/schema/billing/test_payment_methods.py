"""Payment methods: add (S), remove, make default; MANAGE_PAYMENT_METHODS."""

from __future__ import annotations

import httpx
import pytest

from models.access import Permission, Role
from models.activity import ActivityEvent
from models.billing.models import AutopayEnrollment, PaymentMethod
from schema.ids import to_global_id
from tests.billing_support import add_card, billing_session
from tests.support import error_codes, gql

ADD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) {
    paymentMethod { kind brand last4 expMonth expYear isDefault } errors { code field }
  }
}
"""
REMOVE = "mutation($id: ID!) { removePaymentMethod(id: $id) { ok errors { code field } } }"
SET_DEFAULT = """
mutation($id: ID!) {
  setDefaultPaymentMethod(id: $id) { paymentMethod { last4 isDefault } errors { code field } }
}
"""
METHODS = "{ account { paymentMethods { last4 isDefault } } }"


async def test_add_cards_and_a_bank_account_the_first_becomes_default(client: httpx.AsyncClient) -> None:
    # given
    _, token = await billing_session(client, stepped_up=True)
    # when
    visa = await gql(client, ADD, {"input": {"processorToken": "tok_visa"}}, token=token)
    bank = await gql(client, ADD, {"input": {"processorToken": "btok_checking"}}, token=token)
    master = await gql(
        client, ADD, {"input": {"processorToken": "tok_mastercard", "makeDefault": True}}, token=token
    )
    # then
    assert visa["data"]["addPaymentMethod"] == {
        "paymentMethod": {
            "kind": "CARD",
            "brand": "visa",
            "last4": "4242",
            "expMonth": 12,
            "expYear": 2034,
            "isDefault": True,
        },
        "errors": [],
    }
    assert bank["data"]["addPaymentMethod"]["paymentMethod"] == {
        "kind": "BANK_ACCOUNT",
        "brand": "Sandbox Bank",
        "last4": "6789",
        "expMonth": None,
        "expYear": None,
        "isDefault": False,
    }
    assert master["data"]["addPaymentMethod"]["errors"] == []
    body = await gql(client, METHODS, token=token)
    assert body["data"]["account"]["paymentMethods"] == [
        {"last4": "4242", "isDefault": False},
        {"last4": "6789", "isDefault": False},
        {"last4": "4444", "isDefault": True},
    ]
    assert await ActivityEvent.filter(kind="PAYMENT_METHOD_ADDED").count() == 3


@pytest.mark.parametrize("token_text", ["tok_bogus", "", "x" * 101, "4242424242424242"])
async def test_unknown_tokens_are_refused(client: httpx.AsyncClient, token_text: str) -> None:
    _, token = await billing_session(client, stepped_up=True)
    body = await gql(client, ADD, {"input": {"processorToken": token_text}}, token=token)
    assert body["data"]["addPaymentMethod"] == {
        "paymentMethod": None,
        "errors": [{"code": "INVALID_PAYMENT_TOKEN", "field": "processorToken"}],
    }
    assert await PaymentMethod.all().count() == 0


async def test_adding_needs_the_permission_then_a_step_up(client: httpx.AsyncClient) -> None:
    _, standard = await billing_session(
        client, role=Role.STANDARD, grants=(Permission.PAY_BILLS,), stepped_up=True
    )
    body = await gql(client, ADD, {"input": {"processorToken": "tok_visa"}}, token=standard)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_adding_without_step_up_is_refused(client: httpx.AsyncClient) -> None:
    _, token = await billing_session(client)
    body = await gql(client, ADD, {"input": {"processorToken": "tok_visa"}}, token=token)
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    assert await PaymentMethod.all().count() == 0


async def test_remove_the_default_hands_default_on_and_hides_it(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    first = await add_card(account, "tok_visa")
    await add_card(account, "tok_mastercard", default=False)
    body = await gql(client, REMOVE, {"id": to_global_id("PaymentMethod", first.id)}, token=token)
    assert body["data"]["removePaymentMethod"] == {"ok": True, "errors": []}
    methods = await gql(client, METHODS, token=token)
    assert methods["data"]["account"]["paymentMethods"] == [{"last4": "4444", "isDefault": True}]
    again = await gql(client, REMOVE, {"id": to_global_id("PaymentMethod", first.id)}, token=token)
    assert again["data"]["removePaymentMethod"] == {
        "ok": False,
        "errors": [{"code": "NOT_FOUND", "field": "id"}],
    }


async def test_the_autopay_method_cannot_be_removed(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    card = await add_card(account)
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=card.id)
    body = await gql(client, REMOVE, {"id": to_global_id("PaymentMethod", card.id)}, token=token)
    assert body["data"]["removePaymentMethod"] == {
        "ok": False,
        "errors": [{"code": "PAYMENT_METHOD_IN_USE", "field": "id"}],
    }


@pytest.mark.parametrize(
    "bad_id", ["nonsense", to_global_id("Member", 1), to_global_id("PaymentMethod", 999)]
)
async def test_set_default_and_remove_refuse_unknown_ids(client: httpx.AsyncClient, bad_id: str) -> None:
    _, token = await billing_session(client)
    body = await gql(client, SET_DEFAULT, {"id": bad_id}, token=token)
    assert body["data"]["setDefaultPaymentMethod"] == {
        "paymentMethod": None,
        "errors": [{"code": "NOT_FOUND", "field": "id"}],
    }
    body = await gql(client, REMOVE, {"id": bad_id}, token=token)
    assert body["data"]["removePaymentMethod"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]


async def test_set_default(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    await add_card(account, "tok_visa")
    master = await add_card(account, "tok_mastercard", default=False)
    body = await gql(client, SET_DEFAULT, {"id": to_global_id("PaymentMethod", master.id)}, token=token)
    assert body["data"]["setDefaultPaymentMethod"] == {
        "paymentMethod": {"last4": "4444", "isDefault": True},
        "errors": [],
    }
    methods = await gql(client, METHODS, token=token)
    assert methods["data"]["account"]["paymentMethods"] == [
        {"last4": "4242", "isDefault": False},
        {"last4": "4444", "isDefault": True},
    ]


async def test_remove_and_set_default_need_manage_payment_methods(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client, role=Role.STANDARD, grants=(Permission.PAY_BILLS,))
    card = await add_card(account)
    gid = to_global_id("PaymentMethod", card.id)
    assert error_codes(await gql(client, REMOVE, {"id": gid}, token=token)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, SET_DEFAULT, {"id": gid}, token=token)) == ["FORBIDDEN"]
    # PAY_BILLS alone may still list the methods to pay with
    body = await gql(client, METHODS, token=token)
    assert "errors" not in body
    assert body["data"]["account"]["paymentMethods"] == [{"last4": "4242", "isDefault": True}]
