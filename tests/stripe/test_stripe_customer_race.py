"""An account's first Stripe customer, created by concurrent first uses: exactly one is recorded, every
call uses it, and Stripe keeps no unused twin."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from models.billing.models import PaymentMethod
from models.billing.stripe_processor import StripeCustomer
from tests.billing_support import billing_session
from tests.stripe.support import ADD_METHOD, api, new_payment_method
from tests.support import gql

CONCURRENT = 10


async def customers_at_stripe(localstripe: str) -> dict[str, dict[str, Any]]:
    async with api(localstripe) as http:
        answer = await http.get("/v1/customers", params={"limit": 100})
        answer.raise_for_status()
        return {customer["id"]: customer for customer in answer.json()["data"]}


async def customer_of_method(localstripe: str, pm: str) -> str:
    async with api(localstripe) as http:
        answer = await http.get(f"/v1/payment_methods/{pm}")
        answer.raise_for_status()
        return str(answer.json()["customer"])


async def test_concurrent_first_cards_make_one_stripe_customer(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given an account with no Stripe customer yet, and ten cards made by Stripe.js
    account, token = await billing_session(client, stepped_up=True)
    before = await customers_at_stripe(localstripe)
    cards = [await new_payment_method(localstripe) for _ in range(CONCURRENT)]
    # when ten addPaymentMethod calls run at once
    bodies = await asyncio.gather(
        *(gql(client, ADD_METHOD, {"input": {"processorToken": pm}}, token=token) for pm in cards)
    )
    # then every call succeeded
    assert [body["data"]["addPaymentMethod"]["errors"] for body in bodies] == [[]] * CONCURRENT
    # and one customer is recorded, every card is attached to it, and it is the only one Stripe kept
    recorded = [row.customer_id for row in await StripeCustomer.filter(account_id=account.id)]
    assert len(recorded) == 1
    saved = [method.processor_token for method in await PaymentMethod.filter(account_id=account.id)]
    assert sorted(saved) == sorted(cards)
    assert {await customer_of_method(localstripe, pm) for pm in cards} == set(recorded)
    made = {
        customer_id: customer
        for customer_id, customer in (await customers_at_stripe(localstripe)).items()
        if customer_id not in before
    }
    assert list(made) == recorded
    assert made[recorded[0]]["metadata"] == {"account_id": str(account.id)}
