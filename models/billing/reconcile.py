"""Settling the payments left PENDING, asking the processor again (its answer is the first one: nothing is
charged twice).

- `reconcile_pending`, every minute: payments whose answer was lost (a processor time-out, a crash
  between the charge and its settlement), asked again with their own key or recorded reference.
- `reconcile_awaiting`, every AWAITING_CHECK_MINUTES: payments waiting for the member (3-D Secure), whose
  answer normally comes by webhook at once; those waiting past ACTION_EXPIRY are cancelled at the
  processor and settled FAILED, through the one settle path (activity, the member told once)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from models.billing.awaiting import ACTION_EXPIRY, await_member
from models.billing.charge import describe_method, processor_key, reference_recorder, settle
from models.billing.models import Payment, PaymentMethod, PaymentMethodKind, PaymentSource, PaymentStatus
from models.billing.processor import ChargeResult, PaymentProcessor, default_processor
from models.db.clock import utcnow

log = logging.getLogger(__name__)


async def reconcile_pending(
    *, older_than_seconds: int = 60, processor: PaymentProcessor | None = None
) -> int:
    """Settle the payments PENDING for longer than `older_than_seconds` that wait for no member. Returns
    how many settled."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    pending = Payment.filter(status=PaymentStatus.PENDING, next_action=None, created_at__lte=cutoff)
    settled = 0
    for payment in await pending.order_by("id"):
        settled += await _ask(payment, processor or default_processor())
    return settled


async def reconcile_awaiting(
    *, processor: PaymentProcessor | None = None, now: datetime | None = None
) -> int:
    """Settle the payments waiting for the member that the member has since answered, and give up those
    older than ACTION_EXPIRY. Returns how many settled."""
    expired_before = (now or utcnow()) - ACTION_EXPIRY
    awaiting = Payment.filter(status=PaymentStatus.PENDING, next_action__isnull=False)
    settled = 0
    for payment in await awaiting.order_by("id"):
        give_up = payment.created_at <= expired_before
        settled += await _ask(payment, processor or default_processor(), give_up=give_up)
    return settled


async def _ask(payment: Payment, processor: PaymentProcessor, *, give_up: bool = False) -> bool:
    """Whether the processor's answer settled the payment."""
    method_id = payment.payment_method_id
    method = await PaymentMethod.get_or_none(id=method_id) if method_id else None
    if method is None:
        result = ChargeResult(succeeded=False, reference=None, failure_reason="payment_method_missing")
        await settle(payment, PaymentMethod(brand=None, kind=PaymentMethodKind.CARD, last4="????"), result)
        return True
    try:
        if give_up and payment.processor_reference is not None:
            result = await processor.cancel(payment.processor_reference)
        else:
            result = await processor.charge(
                payment.amount,
                method.processor_token,
                processor_key(payment.account_id, payment.idempotency_key),
                account_id=payment.account_id,
                reference=payment.processor_reference,
                record_reference=reference_recorder(payment),
                off_session=payment.source == PaymentSource.AUTOPAY,
            )
    except Exception:
        log.warning("payment %s is still pending", payment.id, exc_info=True)
        return False
    if result.next_action is not None:
        await await_member(payment, describe_method(method), result)  # still the member's turn
        return False
    return (await settle(payment, method, result)).status != PaymentStatus.PENDING
