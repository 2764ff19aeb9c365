"""A one-time payment with a saved method (payBill): the checks of its request, then the one charge
operation (models/billing/charge.py)."""

from __future__ import annotations

from typing import NamedTuple

from models.billing.charge import AUTOPAY_KEY_PREFIX, IdempotencyKeyReused, charge, reserved_for_autopay
from models.billing.errors import BillingRefused, Refusal, payments_unavailable
from models.billing.methods import active_method
from models.billing.models import Payment, PaymentMethod, PaymentSource
from models.billing.payment_plan import AmountOverBalance, NothingToPay, plan_payment
from models.billing.processor import PaymentProcessor
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters

MAX_IDEMPOTENCY_KEY = 100


class BillPayment(NamedTuple):
    payment: Payment
    method: PaymentMethod


async def pay_bill(
    account_id: int,
    method_id: int | None,
    amount: int | None,
    idempotency_key: str,
    *,
    processor: PaymentProcessor | None,
    actor_id: int | None = None,
    ip_address: str | None = None,
) -> BillPayment:
    """Charge `amount` cents (None: the balance) to the account's method once per idempotency key. The
    payment may come back FAILED (declined) or PENDING (the processor's answer is not known yet).
    Raises BillingRefused."""
    if processor is None:
        raise payments_unavailable()
    key = idempotency_key
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
        raise _bad_key(f"Use 1 to {MAX_IDEMPOTENCY_KEY} characters.")
    if has_control_characters(key):  # it travels on as the processor's idempotency header
        raise _bad_key(CONTROL_CHARACTERS_MESSAGE)
    if reserved_for_autopay(key):
        raise _bad_key(f"Keys starting with {AUTOPAY_KEY_PREFIX!r} are reserved for autopay.")
    if amount is not None and amount <= 0:
        raise BillingRefused(Refusal.INVALID_AMOUNT, "The amount must be positive.", "amount")
    method = await active_method(account_id, method_id, "paymentMethodId")
    try:
        plan = await plan_payment(account_id, key, amount)
    except NothingToPay:
        raise BillingRefused(Refusal.NOTHING_TO_PAY, "There is nothing to pay.") from None
    except AmountOverBalance:
        raise BillingRefused(
            Refusal.INVALID_AMOUNT, "The amount is more than the balance.", "amount"
        ) from None
    try:
        payment = await charge(
            account_id=account_id,
            amount=plan.amount,
            payment_method=method,
            idempotency_key=key,
            source=PaymentSource.MANUAL,
            statement_id=plan.statement_id,
            actor_id=actor_id,
            ip_address=ip_address,
            processor=processor,
        )
    except IdempotencyKeyReused:
        raise _bad_key(
            "This idempotency key was used for a different payment.", Refusal.IDEMPOTENCY_KEY_REUSED
        ) from None
    return BillPayment(payment, method)


def _bad_key(message: str, reason: Refusal = Refusal.INVALID_INPUT) -> BillingRefused:
    return BillingRefused(reason, message, "idempotencyKey")
