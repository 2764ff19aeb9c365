"""POST /webhooks/stripe: signed late answers settle the payment; a forged signature changes nothing."""

from __future__ import annotations

import asyncio

import httpx
import redis.asyncio as aioredis
import uvicorn

from gateway.app import Resources, create_app
from gateway.settings import Settings
from models.billing.models import Payment, PaymentStatus
from models.notify.outbox import OutboxMessage
from models.security.passwords import Passwords
from tests.billing_support import billing_session, issue
from tests.stripe.support import (
    PAY_BILL,
    THREE_D_SECURE,
    WEBHOOK_SECRET,
    add_method,
    api,
    authenticate,
    intent,
    pay,
    signed_event,
)
from tests.support import gql
from workers.queue import Queue

WEBHOOK = "/webhooks/stripe"


async def waiting_payment(client: httpx.AsyncClient, localstripe: str) -> Payment:
    """A payBill that waits for the member's 3-D Secure step."""
    account, token = await billing_session(client, stepped_up=True)
    method_id = await add_method(client, token, localstripe, THREE_D_SECURE)
    await issue(account, 5000)
    body = await gql(client, PAY_BILL, pay(method_id, "webhook-1"), token=token)
    assert body["data"]["payBill"]["payment"]["status"] == "PENDING"
    return await Payment.get(account_id=account.id)


async def test_a_signed_success_settles_the_waiting_payment_once(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a payment waiting for the member, who then authenticates at Stripe
    payment = await waiting_payment(client, localstripe)
    assert payment.processor_reference is not None
    await authenticate(localstripe, payment.processor_reference)
    succeeded = await intent(localstripe, payment.processor_reference)
    body, signature = signed_event("payment_intent.succeeded", succeeded)
    # when Stripe's webhook arrives, twice (Stripe delivers at least once)
    first = await client.post(WEBHOOK, content=body, headers={"stripe-signature": signature})
    second = await client.post(WEBHOOK, content=body, headers={"stripe-signature": signature})
    # then
    assert (first.status_code, first.json()) == (200, {"received": True, "settled": True})
    assert (second.status_code, second.json()) == (200, {"received": True, "settled": False})
    settled = await Payment.get(id=payment.id)
    assert (settled.status, settled.next_action) == (PaymentStatus.SUCCEEDED, None)
    assert await OutboxMessage.filter(kind="PAYMENT_RECEIPT").count() == 1


async def test_a_signed_failure_settles_the_payment_failed(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a waiting payment, and Stripe's word that its authentication failed
    payment = await waiting_payment(client, localstripe)
    failed = {
        **await intent(localstripe, str(payment.processor_reference)),
        "status": "requires_payment_method",
        "last_payment_error": {"code": "payment_intent_authentication_failure"},
    }
    body, signature = signed_event("payment_intent.payment_failed", failed)
    # when
    answer = await client.post(WEBHOOK, content=body, headers={"stripe-signature": signature})
    # then
    assert answer.status_code == 200
    settled = await Payment.get(id=payment.id)
    assert (settled.status, settled.failure_reason) == (
        PaymentStatus.FAILED,
        "payment_intent_authentication_failure",
    )


async def test_a_forged_signature_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a waiting payment and a "success" signed with another secret, or not signed at all
    payment = await waiting_payment(client, localstripe)
    forged = {**await intent(localstripe, str(payment.processor_reference)), "status": "succeeded"}
    body, signature = signed_event("payment_intent.succeeded", forged, secret="whsec_not_ours")
    # when
    wrong_key = await client.post(WEBHOOK, content=body, headers={"stripe-signature": signature})
    unsigned = await client.post(WEBHOOK, content=body)
    # then
    assert (wrong_key.status_code, unsigned.status_code) == (400, 400)
    unchanged = await Payment.get(id=payment.id)
    assert unchanged.status == PaymentStatus.PENDING
    assert await OutboxMessage.filter(kind="PAYMENT_RECEIPT").count() == 0


async def test_localstripe_delivers_a_signed_webhook_that_settles_the_payment(
    client: httpx.AsyncClient,
    localstripe: str,
    stripe_settings: Settings,
    passwords: Passwords,
    queue: Queue,
    gateway_redis: aioredis.Redis,
) -> None:
    # given the app listening on a real port, registered with localstripe as Stripe's webhook endpoint
    app = create_app(stripe_settings, Resources(passwords=passwords, queue=queue, redis=gateway_redis))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(100):  # uvicorn offers no event for "listening"
        if server.started:
            break
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    async with api(localstripe) as http:
        registered = await http.post(
            "/_config/webhooks/gateway",
            data={"url": f"http://127.0.0.1:{port}{WEBHOOK}", "secret": WEBHOOK_SECRET},
        )
    payment = await waiting_payment(client, localstripe)
    # when the member authenticates at Stripe and localstripe sends payment_intent.succeeded (after 1 s)
    await authenticate(localstripe, str(payment.processor_reference))
    for _ in range(100):
        settled = await Payment.get(id=payment.id)
        if settled.status != PaymentStatus.PENDING:
            break
        await asyncio.sleep(0.1)
    server.should_exit = True
    await serving
    # then the webhook settled it
    assert registered.status_code == 200
    assert (settled.status, settled.next_action) == (PaymentStatus.SUCCEEDED, None)
