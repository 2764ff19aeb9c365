"""The Stripe processor when things go wrong: a crash after Stripe charged, a time-out, a member who
authenticates later; and autopay charging off-session."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from models.accounts.models import Account
from models.billing.charge import charge
from models.billing.models import Payment, PaymentMethod, PaymentSource, PaymentStatus
from models.billing.processor import ProcessorCrash
from models.billing.reconcile import reconcile_awaiting, reconcile_pending
from models.billing.stripe_processor import StripeAccess, StripeCustomer, StripeProcessor
from models.notify.outbox import OutboxMessage
from tests.billing_support import issue
from tests.stripe.support import THREE_D_SECURE, authenticate, intents_of, stripe_card


async def customer_of(account_id: int) -> str:
    return (await StripeCustomer.get(account_id=account_id)).customer_id


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An address that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


async def test_a_crash_after_stripe_charged_settles_once_through_reconcile(
    stripe_processor: StripeProcessor, localstripe: str
) -> None:
    # given a card, a statement, and a process that dies once Stripe has confirmed the charge
    card = await stripe_card(stripe_processor, localstripe)
    account = await Account.get(id=card.account_id)
    await issue(account, 4200)
    crashing = StripeProcessor(stripe_processor.access, fault="crash_after_charge")
    # when
    with pytest.raises(ProcessorCrash):
        await charge(
            account_id=account.id,
            amount=4200,
            payment_method=card,
            idempotency_key="crash-1",
            source=PaymentSource.MANUAL,
            processor=crashing,
        )
    await crashing.close()
    pending = await Payment.get(account_id=account.id)
    settled = await reconcile_pending(older_than_seconds=0, processor=stripe_processor)
    again = await reconcile_pending(older_than_seconds=0, processor=stripe_processor)
    # then the intent was on record before the crash, reconcile asked Stripe about it, and nothing
    # was charged a second time
    assert pending.status == PaymentStatus.PENDING
    assert pending.processor_reference is not None
    assert (settled, again) == (1, 0)
    payment = await Payment.get(id=pending.id)
    assert (payment.status, payment.processor_reference) == (
        PaymentStatus.SUCCEEDED,
        pending.processor_reference,
    )
    intents = await intents_of(localstripe, await customer_of(account.id))
    assert [(i["id"], i["status"]) for i in intents] == [(pending.processor_reference, "succeeded")]
    assert await OutboxMessage.filter(kind="PAYMENT_RECEIPT").count() == 1


async def test_a_time_out_leaves_the_payment_pending(
    stripe_processor: StripeProcessor, localstripe: str, silent_server: str
) -> None:
    # given Stripe that does not answer within the time-out
    card = await stripe_card(stripe_processor, localstripe)
    silent = StripeProcessor(
        StripeAccess(secret_key="sk_test_x", api_base=silent_server, return_url="x", timeout_seconds=0.3)
    )
    # when
    payment = await charge(
        account_id=card.account_id,
        amount=1000,
        payment_method=card,
        idempotency_key="slow-1",
        source=PaymentSource.MANUAL,
        processor=silent,
    )
    await silent.close()
    # then nothing is decided: the payment waits for reconcile
    assert payment.status == PaymentStatus.PENDING
    assert payment.processor_reference is None


async def test_a_member_who_authenticates_later_is_settled_by_reconcile(
    stripe_processor: StripeProcessor, localstripe: str
) -> None:
    # given a charge waiting for 3-D Secure
    card = await stripe_card(stripe_processor, localstripe, THREE_D_SECURE)
    account = await Account.get(id=card.account_id)
    await issue(account, 3000)
    waiting = await charge(
        account_id=account.id,
        amount=3000,
        payment_method=card,
        idempotency_key="3ds-later",
        source=PaymentSource.MANUAL,
        processor=stripe_processor,
    )
    still = await reconcile_awaiting(processor=stripe_processor)
    # when the member authenticates, and the webhook never comes
    assert waiting.processor_reference is not None
    await authenticate(localstripe, waiting.processor_reference)
    settled = await reconcile_awaiting(processor=stripe_processor)
    # then reconcile settles it, once, and the member was asked once
    assert (waiting.status, still, settled) == (PaymentStatus.PENDING, 0, 1)
    payment = await Payment.get(id=waiting.id)
    assert (payment.status, payment.next_action) == (PaymentStatus.SUCCEEDED, None)
    assert await OutboxMessage.filter(kind="PAYMENT_ACTION_NEEDED").count() == 1
    assert await OutboxMessage.filter(kind="PAYMENT_RECEIPT").count() == 1


async def test_autopay_charges_off_session(stripe_processor: StripeProcessor, localstripe: str) -> None:
    # given a card
    card = await stripe_card(stripe_processor, localstripe)
    # when autopay charges it
    payment = await charge(
        account_id=card.account_id,
        amount=2500,
        payment_method=card,
        idempotency_key="autopay:1:2026-12-07",
        source=PaymentSource.AUTOPAY,
        processor=stripe_processor,
    )
    # then Stripe was told the member is not there
    assert payment.status == PaymentStatus.SUCCEEDED
    intents = await intents_of(localstripe, await customer_of(card.account_id))
    assert [(i["status"], i["metadata"].get("off_session")) for i in intents] == [("succeeded", "true")]


async def test_a_method_stripe_does_not_know_fails_the_payment(
    stripe_processor: StripeProcessor, localstripe: str
) -> None:
    # given a saved method whose PaymentMethod Stripe no longer has
    card = await stripe_card(stripe_processor, localstripe)
    await PaymentMethod.filter(id=card.id).update(processor_token="pm_gone")
    card = await PaymentMethod.get(id=card.id)
    # when
    payment = await charge(
        account_id=card.account_id,
        amount=900,
        payment_method=card,
        idempotency_key="gone-1",
        source=PaymentSource.MANUAL,
        processor=stripe_processor,
    )
    # then Stripe created no intent, and the payment failed rather than wait for ever
    assert payment.status == PaymentStatus.FAILED
    assert payment.processor_reference is None
    assert await intents_of(localstripe, await customer_of(card.account_id)) == []
