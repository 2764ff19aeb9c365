"""Planning a one-time payment: its amount, the statement it pays, and a retry of its key."""

from __future__ import annotations

import pytest

from models.billing.models import Payment, PaymentSource, Statement, StatementStatus
from models.billing.payment_plan import AmountOverBalance, NothingToPay, PaymentPlan, plan_payment
from tests.billing_support import issue
from tests.support import make_account


async def test_the_balance_pays_the_statement_due_first() -> None:
    # given
    account = await make_account()
    await issue(account, 4000)
    earlier = await issue(account, 2500)
    # when
    whole = await plan_payment(account.id, "key-1", None)
    part = await plan_payment(account.id, "key-2", 1000)
    # then
    assert whole == PaymentPlan(amount=6500, statement_id=earlier.id)
    assert part == PaymentPlan(amount=1000, statement_id=earlier.id)


async def test_a_retry_repeats_the_keys_first_payment_after_the_balance_is_gone() -> None:
    # given
    account = await make_account()
    statement = await issue(account, 4000)
    await Payment.create(
        account_id=account.id,
        amount=4000,
        source=PaymentSource.MANUAL,
        idempotency_key="key-1",
        request_fingerprint="fingerprint",
        statement_id=statement.id,
    )
    await Statement.filter(id=statement.id).update(amount_paid=4000, status=StatementStatus.PAID)
    # when
    retried = await plan_payment(account.id, "key-1", None)
    # then
    assert retried == PaymentPlan(amount=4000, statement_id=statement.id)


async def test_nothing_owed_or_more_than_owed_is_refused() -> None:
    # given
    account = await make_account()
    empty = await make_account(name="The Joneses")
    await issue(account, 4000)
    # when / then
    with pytest.raises(NothingToPay):
        await plan_payment(empty.id, "key-1", None)
    with pytest.raises(AmountOverBalance):
        await plan_payment(account.id, "key-1", 4001)
