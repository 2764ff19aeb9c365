"""Mutation.payBill: a one-time payment with a saved method, through the one charge operation."""

from __future__ import annotations

from models.billing.charge import AUTOPAY_KEY_PREFIX, IdempotencyKeyReused, charge, reserved_for_autopay
from models.billing.models import PaymentSource, PaymentStatus
from models.billing.payment_plan import AmountOverBalance, NothingToPay, plan_payment
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from schema.billing.inputs import MAX_IDEMPOTENCY_KEY, PayBillInput, PaymentPayload
from schema.billing.lookup import active_method, method_not_found
from schema.billing.processor import payments_unavailable, processor_of
from schema.billing.types import PaymentType
from schema.context import Principal
from schema.errors import ErrorCode, user_error
from schema.node import given
from schema.permissions import Info, caller_of


async def pay_bill(info: Info, input: PayBillInput) -> PaymentPayload:
    processor = processor_of(info)
    if processor is None:
        return PaymentPayload(errors=[payments_unavailable()])
    # A partner app's key with PAY_BILLS may pay too; it is logged with no member as actor.
    caller = caller_of(info)
    actor_id = caller.member.id if isinstance(caller, Principal) else None
    key = input.idempotency_key
    amount = given(input.amount)
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
        return _refused(
            ErrorCode.INVALID_INPUT, f"Use 1 to {MAX_IDEMPOTENCY_KEY} characters.", "idempotencyKey"
        )
    if has_control_characters(key):  # it travels on as the processor's idempotency header
        return _refused(ErrorCode.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "idempotencyKey")
    if reserved_for_autopay(key):
        return _refused(
            ErrorCode.INVALID_INPUT,
            f"Keys starting with {AUTOPAY_KEY_PREFIX!r} are reserved for autopay.",
            "idempotencyKey",
        )
    if amount is not None and amount <= 0:
        return _refused(ErrorCode.INVALID_AMOUNT, "The amount must be positive.", "amount")
    method = await active_method(info, str(input.payment_method_id))
    if method is None:
        return PaymentPayload(errors=[method_not_found("paymentMethodId")])
    try:
        plan = await plan_payment(caller.account_id, key, amount)
    except NothingToPay:
        return _refused(ErrorCode.NOTHING_TO_PAY, "There is nothing to pay.")
    except AmountOverBalance:
        return _refused(ErrorCode.INVALID_AMOUNT, "The amount is more than the balance.", "amount")
    try:
        payment = await charge(
            account_id=caller.account_id,
            amount=plan.amount,
            payment_method=method,
            idempotency_key=key,
            source=PaymentSource.MANUAL,
            statement_id=plan.statement_id,
            actor_id=actor_id,
            ip_address=info.context.client.ip_address,
            processor=processor,
        )
    except IdempotencyKeyReused:
        return _refused(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different payment.",
            "idempotencyKey",
        )
    if payment.status == PaymentStatus.FAILED:
        return PaymentPayload(
            payment=PaymentType.from_model(payment, method),
            errors=[
                user_error(
                    ErrorCode.PAYMENT_DECLINED,
                    f"The payment was declined ({payment.failure_reason}).",
                    "paymentMethodId",
                )
            ],
        )
    # SUCCEEDED, or PENDING when the processor's answer is not known yet.
    return PaymentPayload(payment=PaymentType.from_model(payment, method))


def _refused(code: ErrorCode, message: str, field: str | None = None) -> PaymentPayload:
    return PaymentPayload(errors=[user_error(code, message, field)])
