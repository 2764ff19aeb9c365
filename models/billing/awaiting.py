"""A charge that waits for the member (3-D Secure): PENDING with the link where they complete it."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from models.access import Permission
from models.billing import messages as billing_messages
from models.billing.models import Payment, PaymentStatus
from models.billing.processor import ChargeResult
from models.notify.send import notify_account

# A member who has not authenticated a day after the e-mail with the link went out has left the payment:
# reconcile then cancels it at the processor and settles it FAILED (AUTHENTICATION_ABANDONED), so the bill
# shows unpaid again and the member may pay anew. Stripe itself would keep the intent waiting for ever.
ACTION_EXPIRY = timedelta(hours=24)
# How often reconcile asks the processor about a charge waiting for the member: the webhook settles it as
# soon as the member acts; this only covers a webhook that never came.
AWAITING_CHECK_MINUTES = 15


async def await_member(payment: Payment, paid_by: str, result: ChargeResult) -> Payment:
    """Keep the payment PENDING with `result.next_action` and tell the members who see billing, once
    (a reconcile that finds it still waiting tells no one again)."""
    async with in_transaction() as connection:
        asked = (
            await Payment.filter(id=payment.id, status=PaymentStatus.PENDING, next_action=None)
            .using_db(connection)
            .update(next_action=result.next_action, processor_reference=result.reference)
        )
        if asked:
            await notify_account(
                payment.account_id,
                "billing",
                Permission.VIEW_BILLING,
                billing_messages.payment_needs_action(payment.amount, paid_by, result.next_action or ""),
                billing_messages.PAYMENT_ACTION_NEEDED,
                using_db=connection,
            )
    return await Payment.get(id=payment.id)
