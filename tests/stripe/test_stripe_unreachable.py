"""When Stripe cannot be reached: nothing is saved or decided, and no request fails with a 500."""

from __future__ import annotations

import socket

import httpx
import pytest

from gateway.settings import Settings
from models.billing.methods import save_method
from models.billing.models import Payment, PaymentMethodKind, PaymentStatus
from models.billing.processor import TokenDetails
from schema.ids import to_global_id
from tests.billing_support import billing_session, issue
from tests.stripe.support import ADD_METHOD, PAY_BILL, pay
from tests.support import gql


@pytest.fixture
def app_settings(stripe_settings: Settings) -> Settings:
    """Stripe at an address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    return stripe_settings.with_overrides(stripe_api_base=f"http://127.0.0.1:{closed}")


async def test_add_payment_method_answers_payments_unavailable(client: httpx.AsyncClient) -> None:
    # given
    account, token = await billing_session(client, stepped_up=True)
    # when
    body = await gql(client, ADD_METHOD, {"input": {"processorToken": "pm_fromstripejs"}}, token=token)
    # then
    assert body["data"]["addPaymentMethod"]["errors"] == [{"code": "PAYMENTS_UNAVAILABLE", "field": None}]


async def test_pay_bill_leaves_the_payment_pending(client: httpx.AsyncClient) -> None:
    # given a saved card
    account, token = await billing_session(client)
    card = await save_method(
        account.id, "pm_saved", TokenDetails(PaymentMethodKind.CARD, "visa", "4242", 12, 2034), default=True
    )
    await issue(account, 5000)
    # when
    body = await gql(client, PAY_BILL, pay(to_global_id("PaymentMethod", card.id), "down-1"), token=token)
    # then the answer is the PENDING payment, for reconcile to settle
    assert body["data"]["payBill"]["errors"] == []
    assert body["data"]["payBill"]["payment"]["status"] == "PENDING"
    assert (await Payment.get(account_id=account.id)).status == PaymentStatus.PENDING
