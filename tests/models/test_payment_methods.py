"""Payment methods: add, remove, make default, each with its activity event; one default while any is left."""

from __future__ import annotations

import asyncio

import pytest

from models.access import Role
from models.activity import ActivityEvent
from models.billing.autopay_enrollment import enroll
from models.billing.errors import BillingRefusals, BillingRefused, Refusal
from models.billing.methods import add_method, make_default, remove_method
from models.billing.models import AutopayEnrollment, PaymentMethod
from models.billing.processor import SandboxProcessor
from tests.billing_support import add_card
from tests.support import make_account, make_member


async def defaults(account_id: int) -> list[tuple[str, bool]]:
    return await (
        PaymentMethod.filter(account_id=account_id, removed_at=None)
        .order_by("id")
        .values_list("last4", "is_default")
    )


async def test_add_method_makes_the_first_the_default_and_records_who_added_it() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    processor = SandboxProcessor()
    # when
    visa = await add_method(alice, processor, " tok_visa ", ip_address="203.0.113.9")
    await add_method(alice, processor, "btok_checking")
    await add_method(alice, processor, "tok_mastercard", make_default=True)
    # then
    assert (visa.last4, visa.processor_token, visa.is_default) == ("4242", "tok_visa", True)
    assert await defaults(account.id) == [("4242", False), ("6789", False), ("4444", True)]
    events = await ActivityEvent.filter(kind="PAYMENT_METHOD_ADDED").order_by("id")
    assert [(event.actor_id, event.summary) for event in events] == [
        (alice.id, "Alice added Visa ending 4242"),
        (alice.id, "Alice added Sandbox Bank account ending 6789"),
        (alice.id, "Alice added Mastercard ending 4444"),
    ]
    assert events[0].ip_address == "203.0.113.9"


@pytest.mark.parametrize("token", ["tok_bogus", "", "x" * 101])
async def test_add_method_refuses_a_token_the_processor_does_not_know(token: str) -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    # when
    with pytest.raises(BillingRefused) as refused:
        await add_method(alice, SandboxProcessor(), token)
    # then
    assert (refused.value.reason, refused.value.field) == (Refusal.INVALID_PAYMENT_TOKEN, "processorToken")
    assert await PaymentMethod.all().count() == 0


async def test_add_method_without_a_processor_saves_nothing() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    # when
    with pytest.raises(BillingRefused) as refused:
        await add_method(alice, None, "tok_visa")
    # then
    assert (refused.value.reason, refused.value.field) == (Refusal.PAYMENTS_UNAVAILABLE, None)
    assert await PaymentMethod.all().count() == 0


async def test_removing_the_default_hands_it_to_the_newest_remaining() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    visa = await add_card(account, "tok_visa")
    await add_card(account, "tok_mastercard", default=False)
    await add_card(account, "btok_checking", default=False)
    # when
    await remove_method(alice, visa.id)
    # then
    assert await defaults(account.id) == [("4444", False), ("6789", True)]
    removed = await PaymentMethod.get(id=visa.id)
    assert removed.removed_at is not None
    assert removed.is_default is False
    event = await ActivityEvent.get(kind="PAYMENT_METHOD_REMOVED")
    assert event.summary == "Alice removed Visa ending 4242"


async def test_remove_refuses_the_method_autopay_charges() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    card = await add_card(account)
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=card.id)
    # when
    with pytest.raises(BillingRefused) as refused:
        await remove_method(alice, card.id)
    # then
    assert (refused.value.reason, refused.value.field) == (Refusal.PAYMENT_METHOD_IN_USE, "id")
    assert await defaults(account.id) == [("4242", True)]
    assert await ActivityEvent.filter(kind="PAYMENT_METHOD_REMOVED").count() == 0


async def test_removing_and_enrolling_one_method_in_parallel_never_leave_autopay_on_a_removed_one() -> None:
    for round_ in range(5):
        # given a household with two cards, autopay off
        account = await make_account()
        alice = await make_member(account, f"alice{round_}", role=Role.PRIMARY)
        await add_card(account)
        card = await add_card(account, "tok_mastercard", default=False)
        # when one tab removes the card while another turns autopay on with it
        removed, enrolled = await asyncio.gather(
            remove_method(alice, card.id), enroll(alice, card.id), return_exceptions=True
        )
        # then exactly one wins: the card is removed and autopay is not on it, or autopay is on it and
        # the card stays
        card_removed = not await PaymentMethod.filter(id=card.id, removed_at=None).exists()
        autopay_on_card = await AutopayEnrollment.filter(payment_method_id=card.id, enabled=True).exists()
        assert card_removed != autopay_on_card
        if card_removed:
            assert isinstance(enrolled, BillingRefusals)
            assert [refusal.reason for refusal in enrolled.refusals] == [Refusal.NOT_FOUND]
        else:
            assert isinstance(removed, BillingRefused)
            assert removed.reason is Refusal.PAYMENT_METHOD_IN_USE


async def test_remove_and_make_default_refuse_another_accounts_or_a_removed_method() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    theirs = await add_card(await make_account())
    mine = await add_card(account)
    await remove_method(alice, mine.id)
    # when / then
    for method_id in (theirs.id, mine.id, None):
        with pytest.raises(BillingRefused) as refused:
            await make_default(alice, method_id)
        assert (refused.value.reason, refused.value.field) == (Refusal.NOT_FOUND, "id")
        with pytest.raises(BillingRefused) as refused:
            await remove_method(alice, method_id)
        assert (refused.value.reason, refused.value.field) == (Refusal.NOT_FOUND, "id")


async def test_make_default_moves_the_default() -> None:
    # given
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    await add_card(account, "tok_visa")
    master = await add_card(account, "tok_mastercard", default=False)
    # when
    method = await make_default(alice, master.id)
    # then
    assert method.is_default is True
    assert await defaults(account.id) == [("4242", False), ("4444", True)]
    event = await ActivityEvent.get(kind="PAYMENT_METHOD_DEFAULT")
    assert (event.actor_id, event.summary) == (alice.id, "Alice made Mastercard ending 4444 the default")
