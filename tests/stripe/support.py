"""Stripe test helpers: payment methods made on localstripe (as Stripe.js would make them), the
intents it holds, and webhook bodies signed as Stripe signs them."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from gateway.embedded_redis import free_port
from tests.support import gql

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_SECRET = "whsec_test_localstripe"

ADD_METHOD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) {
    paymentMethod { id kind brand last4 expMonth expYear isDefault } errors { code field }
  }
}
"""
PAY_BILL = """
mutation($input: PayBillInput!) {
  payBill(input: $input) {
    payment { status failureReason nextAction amount { amount } }
    errors { code field }
  }
}
"""


async def add_method(client: httpx.AsyncClient, token: str, localstripe: str, number: str) -> str:
    """The GraphQL id of a card the member added with a PaymentMethod id from Stripe.js."""
    pm = await new_payment_method(localstripe, number)
    body = await gql(client, ADD_METHOD, {"input": {"processorToken": pm}}, token=token)
    assert body["data"]["addPaymentMethod"]["errors"] == []
    return str(body["data"]["addPaymentMethod"]["paymentMethod"]["id"])


def pay(method_id: str, key: str) -> dict[str, object]:
    return {"input": {"paymentMethodId": method_id, "idempotencyKey": key}}


VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined (card_declined)
THREE_D_SECURE = "4000002760003184"  # every charge needs the member's authentication


@contextlib.contextmanager
def started_localstripe() -> Iterator[str]:
    """localstripe (tests/stripe/localstripe_server.py) on a free port until the block ends: its base URL.
    Its fake Stripe.js is at `<base>/js.stripe.com/v3/`."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.stripe.localstripe_server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base}/v1/customers", auth=(SECRET_KEY, ""), timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def api(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, auth=(SECRET_KEY, ""), timeout=5)


async def new_payment_method(base: str, number: str = VISA) -> str:
    """A `pm_...` id, as Stripe.js hands the portal one."""
    async with api(base) as http:
        answer = await http.post(
            "/v1/payment_methods",
            data={
                "type": "card",
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
            },
        )
        answer.raise_for_status()
        return str(answer.json()["id"])


async def intents_of(base: str, customer: str) -> list[dict[str, Any]]:
    async with api(base) as http:
        answer = await http.get("/v1/payment_intents", params={"limit": 100})
        answer.raise_for_status()
        return [intent for intent in answer.json()["data"] if intent["customer"] == customer]


async def intent(base: str, intent_id: str) -> dict[str, Any]:
    async with api(base) as http:
        answer = await http.get(f"/v1/payment_intents/{intent_id}")
        answer.raise_for_status()
        return dict(answer.json())


async def authenticate(base: str, intent_id: str, *, success: bool = True) -> None:
    """The member's 3-D Secure step, as localstripe's Stripe.js would do it."""
    found = await intent(base, intent_id)
    async with api(base) as http:
        (
            await http.post(
                f"/v1/payment_intents/{intent_id}/_authenticate",
                data={"client_secret": found["client_secret"], "success": str(success).lower()},
            )
        ).raise_for_status()


def signed_event(event_type: str, obj: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header."""
    now = int(time.time())
    body = json.dumps(
        {"id": f"evt_{now}", "object": "event", "type": event_type, "created": now, "data": {"object": obj}}
    ).encode()
    signature = hmac.new(secret.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={now},v1={signature}"
