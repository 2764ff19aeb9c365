"""Mutation.payBill: a one-time payment with a saved method, through the one charge operation."""

from __future__ import annotations

from models.billing.charge import AUTOPAY_KEY_PREFIX, IdempotencyKeyReused, charge, reserved_for_autopay
from models.billing.models import Payment, PaymentSource, PaymentStatus, Statement, StatementStatus
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from schema.billing.inputs import MAX_IDEMPOTENCY_KEY, PayBillInput, PaymentPayload
from schema.billing.lookup import active_method, method_not_found
from schema.billing.processor import payments_unavailable, processor_of
from schema.billing.types import PaymentType
from schema.context import Principal
from schema.errors import ErrorCode, UserError, user_error
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
    planned = await _plan(caller.account_id, key, amount)
    if isinstance(planned, UserError):
        return PaymentPayload(errors=[planned])
    charge_amount, statement_id = planned
    try:
        payment = await charge(
            account_id=caller.account_id,
            amount=charge_amount,
            payment_method=method,
            idempotency_key=key,
            source=PaymentSource.MANUAL,
            statement_id=statement_id,
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


async def _plan(account_id: int, key: str, amount: int | None) -> tuple[int, int | None] | UserError:
    """The amount to charge and the statement it pays, or why not. A retry of a key's payment repeats
    its first request (an omitted amount meant the balance at that time), so it finds the same payment
    even after the balance went to zero."""
    for _ in range(2):
        existing = await Payment.get_or_none(account_id=account_id, idempotency_key=key)
        if existing is not None:
            return (existing.amount if amount is None else amount), existing.statement_id
        statements = await Statement.filter(account_id=account_id, status=StatementStatus.OPEN).order_by(
            "due_date", "period_start", "id"
        )
        unpaid = [s for s in statements if s.amount_due > s.amount_paid]
        balance = sum(s.amount_due - s.amount_paid for s in unpaid)
        if balance > 0 and (amount is None or amount <= balance):
            return (balance if amount is None else amount), unpaid[0].id
        # A concurrent request with this key may have paid it just now: look for its payment once more.
    if balance <= 0:
        return user_error(ErrorCode.NOTHING_TO_PAY, "There is nothing to pay.")
    return user_error(ErrorCode.INVALID_AMOUNT, "The amount is more than the balance.", "amount")


def _refused(code: ErrorCode, message: str, field: str | None = None) -> PaymentPayload:
    return PaymentPayload(errors=[user_error(code, message, field)])
