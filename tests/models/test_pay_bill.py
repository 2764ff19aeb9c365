"""payBill's operation: the request's checks, in order, before the one charge operation."""

from __future__ import annotations

import pytest

from models.access import Role
from models.billing.errors import BillingRefused, Refusal
from models.billing.models import PaymentStatus
from models.billing.pay_bill import pay_bill
from models.billing.processor import SandboxProcessor
from tests.billing_support import add_card, issue, sandbox_charges
from tests.support import make_account, make_member


async def test_pay_bill_charges_the_balance_once_per_key() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account)
    await issue(account, 7999)
    # when
    first = await pay_bill(account.id, card.id, None, "k1", processor=SandboxProcessor(), actor_id=alice.id)
    again = await pay_bill(account.id, card.id, None, "k1", processor=SandboxProcessor(), actor_id=alice.id)
    # then
    assert (first.payment.amount, first.payment.status) == (7999, PaymentStatus.SUCCEEDED)
    assert first.method.id == card.id
    assert again.payment.id == first.payment.id
    assert len(await sandbox_charges(account)) == 1


@pytest.mark.parametrize(
    ("method_ok", "amount", "key", "refusal"),
    [
        (True, None, "", (Refusal.INVALID_INPUT, "idempotencyKey")),
        (True, None, "k" * 101, (Refusal.INVALID_INPUT, "idempotencyKey")),
        (True, None, "k\n1", (Refusal.INVALID_INPUT, "idempotencyKey")),
        (True, None, "autopay:1:2025-01-01", (Refusal.INVALID_INPUT, "idempotencyKey")),
        (False, 0, "k1", (Refusal.INVALID_AMOUNT, "amount")),
        (False, None, "k1", (Refusal.NOT_FOUND, "paymentMethodId")),
        (True, 8000, "k1", (Refusal.INVALID_AMOUNT, "amount")),
    ],
)
async def test_pay_bill_refuses_a_bad_request_before_charging(
    method_ok: bool, amount: int | None, key: str, refusal: tuple[Refusal, str]
) -> None:
    # given
    account = await make_account()
    card = await add_card(account)
    await issue(account, 7999)
    # when
    with pytest.raises(BillingRefused) as refused:
        await pay_bill(account.id, card.id if method_ok else None, amount, key, processor=SandboxProcessor())
    # then
    assert (refused.value.reason, refused.value.field) == refusal
    assert await sandbox_charges(account) == []


async def test_pay_bill_refuses_without_a_processor_or_a_balance() -> None:
    # given
    account = await make_account()
    card = await add_card(account)
    # when
    with pytest.raises(BillingRefused) as unavailable:
        await pay_bill(account.id, card.id, None, "k1", processor=None)
    with pytest.raises(BillingRefused) as nothing:
        await pay_bill(account.id, card.id, None, "k1", processor=SandboxProcessor())
    # then
    assert unavailable.value.reason == Refusal.PAYMENTS_UNAVAILABLE
    assert nothing.value.reason == Refusal.NOTHING_TO_PAY


async def test_pay_bill_refuses_a_key_used_for_another_payment() -> None:
    # given
    account = await make_account()
    card = await add_card(account)
    await issue(account, 7999)
    await pay_bill(account.id, card.id, 1000, "k1", processor=SandboxProcessor())
    # when
    with pytest.raises(BillingRefused) as refused:
        await pay_bill(account.id, card.id, 2000, "k1", processor=SandboxProcessor())
    # then
    assert (refused.value.reason, refused.value.field) == (Refusal.IDEMPOTENCY_KEY_REUSED, "idempotencyKey")
    assert len(await sandbox_charges(account)) == 1
