"""Mutation.payBill: a one-time payment with a saved method, through the one charge operation."""

from __future__ import annotations

from models.billing.declines import decline_sentence
from models.billing.errors import BillingRefused
from models.billing.models import PaymentStatus
from models.billing.pay_bill import pay_bill as pay
from schema.billing.inputs import PayBillInput, PaymentPayload
from schema.billing.processor import processor_of
from schema.billing.types import PaymentType
from schema.context import Principal
from schema.errors import ErrorCode, refusal_error, user_error
from schema.ids import pk_of
from schema.node import given
from schema.permissions import Info, caller_of


async def pay_bill(info: Info, input: PayBillInput) -> PaymentPayload:
    # A partner app's key with PAY_BILLS may pay too; it is logged with no member as actor.
    caller = caller_of(info)
    try:
        payment, method = await pay(
            caller.account_id,
            pk_of(str(input.payment_method_id), "PaymentMethod"),
            given(input.amount),
            input.idempotency_key,
            processor=processor_of(info),
            actor_id=caller.member.id if isinstance(caller, Principal) else None,
            ip_address=info.context.client.ip_address,
        )
    except BillingRefused as refusal:
        return PaymentPayload(errors=[refusal_error(refusal)])
    if payment.status == PaymentStatus.FAILED:
        return PaymentPayload(
            payment=PaymentType.from_model(payment, method),
            errors=[
                user_error(
                    ErrorCode.PAYMENT_DECLINED,
                    decline_sentence(payment.failure_reason),
                    "paymentMethodId",
                )
            ],
        )
    # SUCCEEDED, or PENDING when the processor's answer is not known yet.
    return PaymentPayload(payment=PaymentType.from_model(payment, method))
