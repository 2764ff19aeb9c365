"""payBill and addPaymentMethod with PAYMENT_PROCESSOR=stripe, against localstripe."""

from __future__ import annotations

import asyncio

import httpx

from models.billing.models import Payment, PaymentMethod, PaymentStatus, Statement, StatementStatus
from models.billing.stripe_processor import StripeCustomer
from models.notify.outbox import OutboxMessage
from tests.billing_support import billing_session, issue
from tests.stripe.support import (
    ADD_METHOD,
    DECLINED_ON_CHARGE,
    PAY_BILL,
    THREE_D_SECURE,
    add_method,
    intents_of,
    new_payment_method,
    pay,
)
from tests.support import gql


async def test_add_payment_method_attaches_it_to_the_accounts_stripe_customer(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a stepped-up member and a PaymentMethod made by Stripe.js
    account, token = await billing_session(client, stepped_up=True)
    pm = await new_payment_method(localstripe)
    # when
    body = await gql(client, ADD_METHOD, {"input": {"processorToken": pm}}, token=token)
    unknown = await gql(client, ADD_METHOD, {"input": {"processorToken": "pm_nosuchmethod"}}, token=token)
    # then the details come from Stripe, and the method is kept under the account's one customer
    payload = body["data"]["addPaymentMethod"]
    assert payload["errors"] == []
    assert {key: value for key, value in payload["paymentMethod"].items() if key != "id"} == {
        "kind": "CARD",
        "brand": "visa",
        "last4": "4242",
        "expMonth": 12,
        "expYear": 2034,
        "isDefault": True,
    }
    assert await StripeCustomer.filter(account_id=account.id).count() == 1
    assert (await PaymentMethod.get(account_id=account.id)).processor_token == pm
    assert unknown["data"]["addPaymentMethod"]["errors"] == [
        {"code": "INVALID_PAYMENT_TOKEN", "field": "processorToken"}
    ]


async def test_twenty_concurrent_pay_bills_with_one_key_charge_stripe_once(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a card and a statement
    account, token = await billing_session(client, stepped_up=True)
    method_id = await add_method(client, token, localstripe, "4242424242424242")
    statement = await issue(account, 7999)
    # when 20 requests pay with one idempotency key at once
    bodies = await asyncio.gather(
        *(gql(client, PAY_BILL, pay(method_id, "stripe-key-1"), token=token) for _ in range(20))
    )
    # then each answers the one payment, and Stripe holds one intent, charged once
    answers = [body["data"]["payBill"] for body in bodies]
    assert all(answer["errors"] == [] for answer in answers)
    assert {answer["payment"]["status"] for answer in answers} == {"SUCCEEDED"}
    payment = await Payment.get(account_id=account.id)
    customer = (await StripeCustomer.get(account_id=account.id)).customer_id
    intents = await intents_of(localstripe, customer)
    assert [(i["id"], i["status"], i["amount"]) for i in intents] == [
        (payment.processor_reference, "succeeded", 7999)
    ]
    assert (await Statement.get(id=statement.id)).status == StatementStatus.PAID


async def test_a_declined_card_is_refused_with_the_decline_answer(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a card Stripe declines at every charge
    account, token = await billing_session(client, stepped_up=True)
    method_id = await add_method(client, token, localstripe, DECLINED_ON_CHARGE)
    await issue(account, 5000)
    # when
    body = await gql(client, PAY_BILL, pay(method_id, "declined-1"), token=token)
    # then
    payload = body["data"]["payBill"]
    assert payload["errors"] == [{"code": "PAYMENT_DECLINED", "field": "paymentMethodId"}]
    assert payload["payment"]["status"] == "FAILED"
    assert payload["payment"]["failureReason"] == "card_declined"
    assert await OutboxMessage.filter(kind="PAYMENT_FAILED").count() == 1


async def test_a_charge_needing_3d_secure_stays_pending_with_a_link_and_tells_the_member(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a card whose every charge needs the member's authentication
    account, token = await billing_session(client, stepped_up=True)
    method_id = await add_method(client, token, localstripe, THREE_D_SECURE)
    await issue(account, 5000)
    # when
    body = await gql(client, PAY_BILL, pay(method_id, "3ds-1"), token=token)
    again = await gql(client, PAY_BILL, pay(method_id, "3ds-1"), token=token)
    # then it waits for the member, with Stripe's page for their step, and they are told once
    payload = body["data"]["payBill"]
    assert payload["errors"] == []
    assert payload["payment"]["status"] == "PENDING"
    payment = await Payment.get(account_id=account.id)
    assert payload["payment"]["nextAction"] == f"https://localstripe.test/3ds/{payment.processor_reference}"
    assert again["data"]["payBill"]["payment"] == payload["payment"]
    notices = await OutboxMessage.filter(kind="PAYMENT_ACTION_NEEDED")
    assert [notice.recipient for notice in notices] == ["alice@example.com"]
    assert payload["payment"]["nextAction"] in notices[0].body
    assert payment.status == PaymentStatus.PENDING


async def test_add_payment_method_refuses_a_non_stripe_token(client: httpx.AsyncClient) -> None:
    # given the sandbox's token offered to Stripe
    _, token = await billing_session(client, stepped_up=True)
    # when
    body = await gql(client, ADD_METHOD, {"input": {"processorToken": "tok_visa"}}, token=token)
    # then
    assert body["data"]["addPaymentMethod"]["errors"] == [
        {"code": "INVALID_PAYMENT_TOKEN", "field": "processorToken"}
    ]
