"""Payments waiting for the member's 3-D Secure step: reconcile asks Stripe about them only every quarter
hour (the webhook is what settles them), and after a day unauthenticated cancels the intent at Stripe and
settles the payment FAILED once."""

from __future__ import annotations

from datetime import timedelta

from models.accounts.models import Account
from models.activity import ActivityEvent
from models.billing.awaiting import ACTION_EXPIRY
from models.billing.charge import charge
from models.billing.models import (
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
)
from models.billing.processor import ChargeResult
from models.billing.reconcile import reconcile_awaiting, reconcile_pending
from models.billing.stripe_processor import StripeProcessor
from models.notify.outbox import OutboxMessage
from tests.billing_support import issue
from tests.stripe.support import THREE_D_SECURE, authenticate, intent, stripe_card
from workers.billing import AWAITING_MINUTES


class CountingProcessor(StripeProcessor):
    """Stripe, counting the charges it is asked about."""

    asked = 0

    async def charge(self, *args: object, **kwargs: object) -> ChargeResult:  # type: ignore[override]
        self.asked += 1
        return await super().charge(*args, **kwargs)  # type: ignore[arg-type]


async def waiting_payment(processor: StripeProcessor, localstripe: str) -> Payment:
    """A payBill-like charge of a card that needs 3-D Secure, left waiting for the member."""
    card = await stripe_card(processor, localstripe, THREE_D_SECURE)
    await issue(await Account.get(id=card.account_id), 3000)
    payment = await charge(
        account_id=card.account_id,
        amount=3000,
        payment_method=card,
        idempotency_key="3ds-stale",
        source=PaymentSource.MANUAL,
        processor=processor,
    )
    assert (payment.status, payment.next_action is not None) == (PaymentStatus.PENDING, True)
    return payment


async def test_a_payment_unauthenticated_for_a_day_is_cancelled_at_stripe_and_failed_once(
    stripe_processor: StripeProcessor, localstripe: str
) -> None:
    # given a payment waiting for the member
    waiting = await waiting_payment(stripe_processor, localstripe)
    assert waiting.processor_reference is not None
    # when reconcile runs a little before and then after a day
    early = await reconcile_awaiting(
        processor=stripe_processor, now=waiting.created_at + ACTION_EXPIRY - timedelta(minutes=1)
    )
    late = waiting.created_at + ACTION_EXPIRY + timedelta(minutes=1)
    settled = await reconcile_awaiting(processor=stripe_processor, now=late)
    again = await reconcile_awaiting(processor=stripe_processor, now=late)
    # then it waited until the day was out, then was cancelled at Stripe and failed, once
    assert (early, settled, again) == (0, 1, 0)
    payment = await Payment.get(id=waiting.id)
    assert (payment.status, payment.failure_reason, payment.next_action) == (
        PaymentStatus.FAILED,
        "authentication_abandoned",
        None,
    )
    cancelled = await intent(localstripe, waiting.processor_reference)
    assert (cancelled["status"], cancelled["metadata"].get("cancellation_reason")) == (
        "canceled",
        "abandoned",
    )
    # and the member was told once, the account's activity says so, and the bill is still to pay
    [notice] = await OutboxMessage.filter(kind="PAYMENT_FAILED")
    assert notice.recipient == "alice@example.com"
    assert "was never confirmed with your bank, so we cancelled it. Nothing was charged" in notice.body
    assert [event.summary for event in await ActivityEvent.filter(kind="PAYMENT_FAILED")] == [
        "Payment of $30.00 by Visa ending 3184 failed: authentication_abandoned"
    ]
    assert (await Statement.get(account_id=payment.account_id)).status == StatementStatus.OPEN


async def test_a_member_who_authenticated_just_before_the_day_was_out_is_charged(
    stripe_processor: StripeProcessor, localstripe: str
) -> None:
    # given a payment the member authenticated, and no webhook
    waiting = await waiting_payment(stripe_processor, localstripe)
    assert waiting.processor_reference is not None
    await authenticate(localstripe, waiting.processor_reference)
    # when reconcile would give it up
    settled = await reconcile_awaiting(
        processor=stripe_processor, now=waiting.created_at + ACTION_EXPIRY + timedelta(minutes=1)
    )
    # then Stripe refused the cancellation, and the payment settled as the charge went
    assert settled == 1
    payment = await Payment.get(id=waiting.id)
    assert (payment.status, payment.failure_reason) == (PaymentStatus.SUCCEEDED, None)
    assert await OutboxMessage.filter(kind="PAYMENT_RECEIPT").count() == 1
    assert await OutboxMessage.filter(kind="PAYMENT_FAILED").count() == 0


async def test_the_minutely_reconcile_does_not_ask_stripe_about_payments_waiting_for_the_member(
    stripe_processor: StripeProcessor, localstripe: str
) -> None:
    # given a payment waiting for the member
    waiting = await waiting_payment(stripe_processor, localstripe)
    counting = CountingProcessor(stripe_processor.access)
    # when the minutely reconcile runs
    try:
        settled = await reconcile_pending(older_than_seconds=0, processor=counting)
    finally:
        await counting.close()
    # then Stripe was not asked; the quarter-hourly run asks instead
    assert (settled, counting.asked) == (0, 0)
    assert (await Payment.get(id=waiting.id)).status == PaymentStatus.PENDING
    assert AWAITING_MINUTES == {0, 15, 30, 45}


async def test_a_payment_waiting_for_a_member_whose_method_is_gone_fails(
    stripe_processor: StripeProcessor, localstripe: str
) -> None:
    # given a payment waiting for the member, whose card was then removed
    waiting = await waiting_payment(stripe_processor, localstripe)
    await PaymentMethod.filter(id=waiting.payment_method_id).delete()
    # when
    settled = await reconcile_awaiting(processor=stripe_processor)
    # then
    assert settled == 1
    assert (await Payment.get(id=waiting.id)).failure_reason == "payment_method_missing"
