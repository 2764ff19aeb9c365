"""The one charge operation: one charge per key, settlement, allocation, recovery after a crash."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from models.access import Role
from models.billing.balance import balance_of, upcoming_payment
from models.billing.charge import IdempotencyKeyReused, charge, describe_method
from models.billing.models import (
    LineItem,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
)
from models.billing.processor import ProcessorCrash, SandboxProcessor
from models.billing.reconcile import reconcile_pending
from models.billing.statements import NothingToBill, issue_statement
from models.notify.outbox import OutboxMessage
from models.services.models import Service
from tests.billing_support import add_card, issue, sandbox_charges
from tests.support import count_queries, make_account, make_member


async def test_issue_statement_from_services_bills_each_service() -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await Service.create(account_id=account.id, kind="INTERNET", plan="Gig plan", monthly_price=7999)
    await Service.create(account_id=account.id, kind="TV", plan="Basic", monthly_price=2000)
    # when
    statement = await issue_statement(account)
    again = await issue_statement(account)
    # then
    items = (
        await LineItem.filter(statement_id=statement.id).order_by("id").values_list("description", "amount")
    )
    assert items == [("Internet - Gig plan", 7999), ("TV - Basic", 2000)]
    assert statement.amount_due == 9999
    assert again.id == statement.id
    assert statement.due_date == statement.issued_at.date() + timedelta(days=21)
    assert await balance_of(account.id) == 9999
    assert await OutboxMessage.filter(recipient="alice@example.com", kind="STATEMENT_READY").count() == 1


async def test_issue_statement_refuses_nothing_to_bill() -> None:
    account = await make_account()
    with pytest.raises(NothingToBill):
        await issue_statement(account)
    with pytest.raises(NothingToBill):
        await issue_statement(account, amount=0, description="Nothing")


async def test_charge_succeeds_pays_the_oldest_statements_first() -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account)
    newer = await issue(account, 5000)
    older = await issue(account, 3000)  # an earlier period, due on the same day
    # when
    payment = await charge(
        account_id=account.id,
        amount=4000,
        payment_method=card,
        idempotency_key="k1",
        source=PaymentSource.MANUAL,
    )
    # then
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.processor_reference is not None
    older = await Statement.get(id=older.id)
    newer = await Statement.get(id=newer.id)
    assert (older.amount_paid, older.status) == (3000, StatementStatus.PAID)
    assert (newer.amount_paid, newer.status) == (1000, StatementStatus.OPEN)
    assert await balance_of(account.id) == 4000
    assert await OutboxMessage.filter(recipient="alice@example.com", kind="PAYMENT_RECEIPT").count() == 1


async def test_charge_is_once_per_key_and_refuses_another_request_under_it() -> None:
    # given
    account = await make_account()
    card = await add_card(account)
    await issue(account, 7999)
    kwargs = {"account_id": account.id, "payment_method": card, "source": PaymentSource.MANUAL}
    # when
    payments = await asyncio.gather(
        *(charge(amount=7999, idempotency_key="same", **kwargs) for _ in range(10))
    )
    # then
    assert {p.id for p in payments} == {payments[0].id}
    assert {p.status for p in payments} == {PaymentStatus.SUCCEEDED}
    assert len(await sandbox_charges(account)) == 1
    with pytest.raises(IdempotencyKeyReused):
        await charge(amount=100, idempotency_key="same", **kwargs)


async def test_declined_charge_fails_with_reason_and_leaves_the_balance() -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account, "tok_insufficientFunds")
    statement = await issue(account, 7999)
    payment = await charge(
        account_id=account.id,
        amount=7999,
        payment_method=card,
        idempotency_key="k",
        source=PaymentSource.AUTOPAY,
        statement_id=statement.id,
    )
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, "insufficient_funds")
    assert await balance_of(account.id) == 7999
    assert await OutboxMessage.filter(recipient="alice@example.com", kind="PAYMENT_FAILED").count() == 1


@pytest.mark.parametrize("fault", ["timeout", "crash_after_charge"])
async def test_a_lost_answer_stays_pending_then_reconciles_without_a_second_charge(fault: str) -> None:
    # given: the processor takes the money, and the answer is lost
    account = await make_account()
    card = await add_card(account)
    statement = await issue(account, 7999)
    kwargs = {
        "account_id": account.id,
        "amount": 7999,
        "payment_method": card,
        "idempotency_key": "k",
        "source": PaymentSource.AUTOPAY,
        "statement_id": statement.id,
        "processor": SandboxProcessor(fault=fault),  # type: ignore[arg-type]
    }
    if fault == "timeout":
        payment = await charge(**kwargs)
        assert payment.status == PaymentStatus.PENDING
    else:
        with pytest.raises(ProcessorCrash):
            await charge(**kwargs)
    payment = await Payment.get(account_id=account.id, idempotency_key="k")
    assert payment.status == PaymentStatus.PENDING
    assert len(await sandbox_charges(account)) == 1
    assert await reconcile_pending(older_than_seconds=60) == 0  # too recent
    # when
    settled = await reconcile_pending(older_than_seconds=0)
    # then
    assert settled == 1
    payment = await Payment.get(id=payment.id)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(await sandbox_charges(account)) == 1
    assert await balance_of(account.id) == 0
    assert await reconcile_pending(older_than_seconds=0) == 0


async def test_upcoming_payment_is_the_first_due_unpaid_statement() -> None:
    account = await make_account()
    assert await upcoming_payment(account.id) is None
    statement = await issue(account, 7999)
    upcoming = await upcoming_payment(account.id)
    assert upcoming is not None
    assert (upcoming.amount, upcoming.due_date, upcoming.autopay) == (7999, statement.due_date, False)


@pytest.mark.parametrize(
    ("kind", "brand", "described"),
    [
        (PaymentMethodKind.CARD, "visa", "Visa ending 4242"),
        (PaymentMethodKind.CARD, "amex", "American Express ending 4242"),
        (PaymentMethodKind.CARD, "Discover", "Discover ending 4242"),
        (PaymentMethodKind.CARD, None, "Card ending 4242"),
        (PaymentMethodKind.BANK_ACCOUNT, "Sandbox Bank", "Sandbox Bank account ending 4242"),
        (PaymentMethodKind.BANK_ACCOUNT, None, "Bank account ending 4242"),
    ],
)
def test_a_method_is_named_as_the_portal_names_it(
    kind: PaymentMethodKind, brand: str | None, described: str
) -> None:
    assert describe_method(PaymentMethod(kind=kind, brand=brand, last4="4242")) == described


async def test_a_charge_costs_the_same_few_statements() -> None:
    # given a household of one primary with a card and a statement (as most autopay charges find)
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account)
    statement = await issue(account, 5000)
    # when
    with count_queries() as statements:
        payment = await charge(
            account_id=account.id,
            amount=5000,
            payment_method=card,
            idempotency_key="autopay:1:2026-03-10",
            source=PaymentSource.AUTOPAY,
            statement_id=statement.id,
        )
    # then: the payment, the sandbox's ledger, and one settlement (the payment, the statement, the
    # activity, the member, the receipt)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(statements) == 8, "\n".join(statements)
