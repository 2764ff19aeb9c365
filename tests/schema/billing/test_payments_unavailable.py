"""With no payment processor (production until a real one is configured) nothing is charged or saved:
addPaymentMethod and payBill answer PAYMENTS_UNAVAILABLE, and the sandbox never takes the payment."""

from __future__ import annotations

import httpx
import pytest

from gateway.settings import Settings
from models.billing.models import Payment, PaymentMethod
from models.notify.outbox import OutboxMessage
from schema.ids import to_global_id
from tests.billing_support import add_card, billing_session, issue, sandbox_charges
from tests.support import gql

ADD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { paymentMethod { last4 } errors { code field } }
}
"""
PAY_BILL = """
mutation($input: PayBillInput!) { payBill(input: $input) { payment { status } errors { code field } } }
"""
ENROLL = """
mutation($input: EnrollAutopayInput!) { enrollAutopay(input: $input) { autopay { enabled } errors { code } } }
"""
BALANCE = "{ account { balance { amount } } }"
PAYMENT_SETUP = "{ paymentSetup { processor publishableKey stripeJsUrl } }"
UNAVAILABLE = [{"code": "PAYMENTS_UNAVAILABLE", "field": None}]


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.with_overrides(payment_processor="none")


async def test_adding_a_payment_method_is_refused_and_saves_nothing(client: httpx.AsyncClient) -> None:
    # given a stepped-up primary
    account, token = await billing_session(client, stepped_up=True)
    # when they add the sandbox's test card
    body = await gql(client, ADD, {"input": {"processorToken": "tok_visa"}}, token=token)
    # then
    assert body["data"]["addPaymentMethod"] == {"paymentMethod": None, "errors": UNAVAILABLE}
    assert await PaymentMethod.filter(account_id=account.id).count() == 0


async def test_paying_a_bill_is_refused_and_no_money_moves(client: httpx.AsyncClient) -> None:
    # given a statement and a card saved while a processor was configured
    account, token = await billing_session(client)
    card = await add_card(account, "tok_visa")
    await issue(account, 7999)
    given = {"paymentMethodId": to_global_id("PaymentMethod", card.id), "idempotencyKey": "key-1"}
    # when
    body = await gql(client, PAY_BILL, {"input": given}, token=token)
    # then the bill stays owed, and nothing was charged, recorded or announced
    assert body["data"]["payBill"] == {"payment": None, "errors": UNAVAILABLE}
    assert (await gql(client, BALANCE, token=token))["data"]["account"]["balance"] == {"amount": 7999}
    assert await sandbox_charges() == []
    assert await Payment.all().count() == 0
    assert await OutboxMessage.filter(kind__in=["PAYMENT_RECEIPT", "PAYMENT_FAILED"]).count() == 0


async def test_enrolling_in_autopay_with_a_saved_method_still_works(client: httpx.AsyncClient) -> None:
    # given a saved card (the daily run will not charge it while payments are off)
    account, token = await billing_session(client, stepped_up=True)
    card = await add_card(account)
    # when
    body = await gql(
        client, ENROLL, {"input": {"paymentMethodId": to_global_id("PaymentMethod", card.id)}}, token=token
    )
    # then
    assert body["data"]["enrollAutopay"] == {"autopay": {"enabled": True}, "errors": []}


async def test_the_portal_is_told_payments_are_off_and_given_no_stripe_js(client: httpx.AsyncClient) -> None:
    # given payments off
    # when the portal asks how payment methods are added
    body = await gql(client, PAYMENT_SETUP)
    # then
    assert body == {
        "data": {"paymentSetup": {"processor": "NONE", "publishableKey": None, "stripeJsUrl": None}}
    }
