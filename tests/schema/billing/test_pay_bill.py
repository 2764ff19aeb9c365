"""payBill: pays the balance once per idempotency key, through the one charge operation."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from models.access import Permission, Role
from models.activity import ActivityEvent
from models.billing.charge import charge
from models.billing.models import Payment, PaymentSource, PaymentStatus, Statement, StatementStatus
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from schema.ids import to_global_id
from tests.billing_support import add_card, billing_session, issue, sandbox_charges
from tests.support import error_codes, gql, make_account, make_member, sign_in

PAY_BILL = """
mutation($input: PayBillInput!) {
  payBill(input: $input) {
    payment {
      id status source failureReason amount { amount formatted } paymentMethod { last4 } statement { id }
    }
    errors { code field }
  }
}
"""
BALANCE = """
{ account { balance { amount currency formatted } statements { totalCount edges { node { status } } } } }
"""


def pay_input(method_id: int, key: str = "key-1", amount: int | None = None) -> dict[str, object]:
    given: dict[str, object] = {
        "paymentMethodId": to_global_id("PaymentMethod", method_id),
        "idempotencyKey": key,
    }
    if amount is not None:
        given["amount"] = amount
    return {"input": given}


async def test_statement_then_pay_bill_clears_the_balance_and_sends_a_receipt(
    client: httpx.AsyncClient,
) -> None:
    # given
    account, token = await billing_session(client)
    card = await add_card(account, "tok_visa")
    statement = await issue(account, 7999)
    before = await gql(client, BALANCE, token=token)
    # when
    body = await gql(client, PAY_BILL, pay_input(card.id), token=token)
    # then
    assert before["data"]["account"]["balance"] == {"amount": 7999, "currency": "USD", "formatted": "$79.99"}
    assert before["data"]["account"]["statements"]["edges"] == [{"node": {"status": "OPEN"}}]
    payload = body["data"]["payBill"]
    assert payload["errors"] == []
    assert payload["payment"]["status"] == "SUCCEEDED"
    assert payload["payment"]["source"] == "MANUAL"
    assert payload["payment"]["amount"] == {"amount": 7999, "formatted": "$79.99"}
    assert payload["payment"]["paymentMethod"] == {"last4": "4242"}
    assert payload["payment"]["statement"] == {"id": to_global_id("Statement", statement.id)}
    after = await gql(client, BALANCE, token=token)
    assert after["data"]["account"]["balance"]["amount"] == 0
    assert after["data"]["account"]["statements"]["edges"] == [{"node": {"status": "PAID"}}]
    assert (await Statement.get(id=statement.id)).status == StatementStatus.PAID
    receipt = await OutboxMessage.get(recipient="alice@example.com", kind="PAYMENT_RECEIPT")
    assert "$79.99" in receipt.body


async def test_twenty_concurrent_calls_with_one_key_charge_once(client: httpx.AsyncClient) -> None:
    # given
    account, token = await billing_session(client)
    card = await add_card(account)
    await issue(account, 7999)
    # when
    bodies = await asyncio.gather(
        *(gql(client, PAY_BILL, pay_input(card.id), token=token) for _ in range(20))
    )
    # then
    assert [b["data"]["payBill"]["errors"] for b in bodies] == [[]] * 20
    assert len({b["data"]["payBill"]["payment"]["id"] for b in bodies}) == 1
    assert await Payment.filter(account_id=account.id).count() == 1
    assert (await Payment.get(account_id=account.id)).status == PaymentStatus.SUCCEEDED
    assert len(await sandbox_charges(account)) == 1


async def test_a_retry_after_success_answers_the_same_payment(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    card = await add_card(account)
    await issue(account, 7999)
    first = await gql(client, PAY_BILL, pay_input(card.id), token=token)
    again = await gql(client, PAY_BILL, pay_input(card.id), token=token)
    assert again["data"]["payBill"]["errors"] == []
    assert again["data"]["payBill"] == first["data"]["payBill"]
    assert len(await sandbox_charges(account)) == 1


async def test_declined_card_answers_payment_declined_with_the_failed_payment(
    client: httpx.AsyncClient,
) -> None:
    account, token = await billing_session(client)
    card = await add_card(account, "tok_chargeDeclined")
    await issue(account, 7999)
    body = await gql(client, PAY_BILL, pay_input(card.id), token=token)
    payload = body["data"]["payBill"]
    assert payload["errors"] == [{"code": "PAYMENT_DECLINED", "field": "paymentMethodId"}]
    assert payload["payment"]["status"] == "FAILED"
    assert payload["payment"]["failureReason"] == "card_declined"
    after = await gql(client, BALANCE, token=token)
    assert after["data"]["account"]["balance"]["amount"] == 7999


PAY_BILL_WORDED = """
mutation($input: PayBillInput!) {
  payBill(input: $input) { payment { status failureReason failureMessage } errors { code field message } }
}
"""


@pytest.mark.parametrize(
    ("token", "code", "sentence"),
    [
        (
            "tok_chargeDeclined",
            "card_declined",
            "Your card was declined. Try another card or contact your bank.",
        ),
        (
            "tok_insufficientFunds",
            "insufficient_funds",
            "Your card has insufficient funds. Try another card or a smaller amount.",
        ),
    ],
)
async def test_a_decline_reads_as_a_sentence_and_keeps_its_code_for_operators(
    client: httpx.AsyncClient, token: str, code: str, sentence: str
) -> None:
    # given
    account, session = await billing_session(client)
    card = await add_card(account, token)
    await issue(account, 7999)
    # when
    body = await gql(client, PAY_BILL_WORDED, pay_input(card.id), token=session)
    # then the member reads the sentence, the code is there for operators and apps
    assert body["data"]["payBill"] == {
        "payment": {"status": "FAILED", "failureReason": code, "failureMessage": sentence},
        "errors": [{"code": "PAYMENT_DECLINED", "field": "paymentMethodId", "message": sentence}],
    }
    [mail] = await OutboxMessage.filter(kind="PAYMENT_FAILED")
    assert sentence in mail.body
    assert code not in mail.body
    [event] = await ActivityEvent.filter(account_id=account.id, kind="PAYMENT_FAILED")
    assert event.summary.endswith(f"failed: {code}")


async def test_same_key_different_amount_is_refused(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    card = await add_card(account)
    await issue(account, 7999)
    await gql(client, PAY_BILL, pay_input(card.id, amount=1000), token=token)
    body = await gql(client, PAY_BILL, pay_input(card.id, amount=2000), token=token)
    assert body["data"]["payBill"] == {
        "payment": None,
        "errors": [{"code": "IDEMPOTENCY_KEY_REUSED", "field": "idempotencyKey"}],
    }
    assert len(await sandbox_charges(account)) == 1


@pytest.mark.parametrize(
    ("key", "amount", "code", "field"),
    [
        ("", None, "INVALID_INPUT", "idempotencyKey"),
        ("k" * 101, None, "INVALID_INPUT", "idempotencyKey"),
        ("key", 0, "INVALID_AMOUNT", "amount"),
        ("key", -5, "INVALID_AMOUNT", "amount"),
        ("key", 8000, "INVALID_AMOUNT", "amount"),
    ],
)
async def test_bad_input_is_refused(
    client: httpx.AsyncClient, key: str, amount: int | None, code: str, field: str
) -> None:
    account, token = await billing_session(client)
    card = await add_card(account)
    await issue(account, 7999)
    body = await gql(client, PAY_BILL, pay_input(card.id, key, amount), token=token)
    assert body["data"]["payBill"] == {"payment": None, "errors": [{"code": code, "field": field}]}
    assert await Payment.all().count() == 0


async def test_nothing_to_pay_and_foreign_or_removed_methods(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    card = await add_card(account)
    body = await gql(client, PAY_BILL, pay_input(card.id), token=token)
    assert body["data"]["payBill"]["errors"] == [{"code": "NOTHING_TO_PAY", "field": None}]
    await issue(account, 7999)
    other_account = await make_account("The Joneses")
    foreign = await add_card(other_account)
    body = await gql(client, PAY_BILL, pay_input(foreign.id), token=token)
    assert body["data"]["payBill"]["errors"] == [{"code": "NOT_FOUND", "field": "paymentMethodId"}]
    await Payment.filter().delete()
    card.removed_at = card.created_at
    await card.save()
    body = await gql(client, PAY_BILL, pay_input(card.id), token=token)
    assert body["data"]["payBill"]["errors"] == [{"code": "NOT_FOUND", "field": "paymentMethodId"}]


async def test_without_pay_bills_it_is_forbidden(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client, role=Role.STANDARD, grants=(Permission.VIEW_BILLING,))
    card = await add_card(account)
    await issue(account, 7999)
    body = await gql(client, PAY_BILL, pay_input(card.id), token=token)
    assert error_codes(body) == ["FORBIDDEN"]
    assert await Payment.all().count() == 0


PAYERS = """
{ account { payments { edges { node { source paidBy { id displayName } amount { amount } } } } } }
"""


async def test_each_payment_says_which_member_paid_it(client: httpx.AsyncClient) -> None:
    # given: alice (primary) and bob (a manager) each pay part of the bill, and autopay pays the rest
    account, alice_token = await billing_session(client)
    bob = await make_member(account, "bob", role=Role.MANAGER)
    bob_token = await sign_in(client, "bob")
    card = await add_card(account)
    await issue(account, 7999)
    alice_paid = await gql(client, PAY_BILL, pay_input(card.id, "key-a", 1000), token=alice_token)
    bob_paid = await gql(client, PAY_BILL, pay_input(card.id, "key-b", 2000), token=bob_token)
    assert alice_paid["data"]["payBill"]["errors"] == []
    assert bob_paid["data"]["payBill"]["errors"] == []
    await charge(
        account_id=account.id,
        amount=4999,
        payment_method=card,
        idempotency_key="autopay:rest",
        source=PaymentSource.AUTOPAY,
    )
    alice = await Member.get(account_id=account.id, username="alice")
    # when
    body = await gql(client, PAYERS, token=alice_token)
    # then
    assert "errors" not in body
    payers = {
        edge["node"]["amount"]["amount"]: (edge["node"]["source"], edge["node"]["paidBy"])
        for edge in body["data"]["account"]["payments"]["edges"]
    }
    assert payers == {
        1000: ("MANUAL", {"id": to_global_id("Member", alice.id), "displayName": "Alice"}),
        2000: ("MANUAL", {"id": to_global_id("Member", bob.id), "displayName": "Bob"}),
        4999: ("AUTOPAY", None),
    }
    assert [payment.paid_by_id for payment in await Payment.all().order_by("amount")] == [
        alice.id,
        bob.id,
        None,
    ]
