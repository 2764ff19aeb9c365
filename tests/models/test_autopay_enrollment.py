"""Autopay enrolment: on by a method with its terms, off idempotently; each change logged and told."""

from __future__ import annotations

import pytest

from models.access import Role
from models.activity import ActivityEvent
from models.billing.autopay_enrollment import cancel, enroll
from models.billing.errors import BillingRefusals, Refusal
from models.billing.models import AutopayEnrollment
from models.notify.outbox import OutboxMessage
from tests.billing_support import add_card
from tests.support import make_account, make_member


async def test_enroll_turns_autopay_on_logs_it_and_tells_the_household() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account)
    # when
    enrollment = await enroll(alice, card.id, days_before_due=3, max_amount=10000, ip_address="203.0.113.9")
    # then
    assert (enrollment.payment_method_id, enrollment.days_before_due, enrollment.max_amount) == (
        card.id,
        3,
        10000,
    )
    assert enrollment.enabled is True
    event = await ActivityEvent.get(kind="AUTOPAY_ENROLLED")
    assert (event.actor_id, event.ip_address, event.summary) == (
        alice.id,
        "203.0.113.9",
        "Alice turned on autopay by Visa ending 4242, 3 days before due, up to $100.00",
    )
    notice = await OutboxMessage.get(recipient="alice@example.com", kind="AUTOPAY_CHANGED")
    assert notice.subject == "Autopay is on"


async def test_enrolling_again_changes_the_one_enrolment() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    visa = await add_card(account)
    bank = await add_card(account, "btok_checking", default=False)
    await enroll(alice, visa.id, max_amount=5000)
    await cancel(alice)
    # when
    enrollment = await enroll(alice, bank.id)
    # then
    assert await AutopayEnrollment.all().count() == 1
    assert (enrollment.payment_method_id, enrollment.max_amount, enrollment.enabled) == (bank.id, None, True)
    event = await ActivityEvent.filter(kind="AUTOPAY_ENROLLED").order_by("-id").first()
    assert event is not None
    assert event.summary == "Alice turned on autopay by Sandbox Bank account ending 6789, 0 days before due"


async def test_enroll_refuses_every_bad_field_at_once() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    theirs = await add_card(await make_account())
    # when
    with pytest.raises(BillingRefusals) as refused:
        await enroll(alice, theirs.id, days_before_due=29, max_amount=0)
    # then
    assert [(refusal.reason, refusal.field) for refusal in refused.value.refusals] == [
        (Refusal.INVALID_INPUT, "daysBeforeDue"),
        (Refusal.INVALID_AMOUNT, "maxAmount"),
        (Refusal.NOT_FOUND, "paymentMethodId"),
    ]
    assert await AutopayEnrollment.all().count() == 0
    assert await OutboxMessage.all().count() == 0


async def test_cancel_turns_autopay_off_once() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account)
    await enroll(alice, card.id)
    # when
    first = await cancel(alice)
    again = await cancel(alice)
    # then
    assert first is not None
    assert again is not None
    assert (first.enabled, again.enabled) == (False, False)
    assert await ActivityEvent.filter(kind="AUTOPAY_CANCELLED").count() == 1
    assert await OutboxMessage.filter(kind="AUTOPAY_CHANGED", subject="Autopay is off").count() == 1


async def test_cancel_without_an_enrolment_answers_none() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    # when
    enrollment = await cancel(alice)
    # then
    assert enrollment is None
    assert await ActivityEvent.filter(kind="AUTOPAY_CANCELLED").count() == 0
