"""Idempotency keys starting with `autopay:` are autopay's: a manual payBill may not take one, or it would
take that day's autopay charge's key and block it."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from models.billing.autopay import AutopayReport, attempt_key, run_autopay
from models.billing.charge import charge
from models.billing.models import AutopayEnrollment, Payment, PaymentSource, PaymentStatus
from models.billing.statements import issue_statement
from schema.ids import to_global_id
from tests.billing_support import add_card, billing_session
from tests.support import gql

DUE = date(2030, 3, 10)
PAY_BILL = """
mutation($input: PayBillInput!) { payBill(input: $input) { payment { id } errors { code field message } } }
"""


async def test_a_manual_payment_with_autopays_key_is_refused_and_autopay_still_charges(
    client: httpx.AsyncClient,
) -> None:
    # given: an account enrolled in autopay with a statement due on DUE
    account, token = await billing_session(client)
    card = await add_card(account)
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=card.id)
    statement = await issue_statement(account, amount=7999, due=DUE, period_start=DUE - timedelta(days=21))
    key = attempt_key(statement.id, DUE)
    # when: a member pays part of it by hand under the key autopay will use that day, then autopay runs
    body = await gql(
        client,
        PAY_BILL,
        {
            "input": {
                "paymentMethodId": to_global_id("PaymentMethod", card.id),
                "amount": 100,
                "idempotencyKey": key,
            }
        },
        token=token,
    )
    report = await run_autopay(DUE)
    # then
    assert body["data"]["payBill"] == {
        "payment": None,
        "errors": [
            {
                "code": "INVALID_INPUT",
                "field": "idempotencyKey",
                "message": "Keys starting with 'autopay:' are reserved for autopay.",
            }
        ],
    }
    assert report == AutopayReport(charged=1)
    payments = await Payment.filter(account_id=account.id).values_list("source", "amount", "status")
    assert payments == [(PaymentSource.AUTOPAY, 7999, PaymentStatus.SUCCEEDED)]


async def test_the_charge_operation_refuses_autopays_keys_for_other_payments(
    client: httpx.AsyncClient,
) -> None:
    # given
    account, _ = await billing_session(client)
    card = await add_card(account)
    # when / then
    with pytest.raises(ValueError, match="autopay"):
        await charge(
            account_id=account.id,
            amount=100,
            payment_method=card,
            idempotency_key="autopay:1:2030-03-10",
            source=PaymentSource.MANUAL,
        )
    assert await Payment.filter(account_id=account.id).count() == 0
