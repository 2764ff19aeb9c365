"""The one charge operation behind payBill and autopay: never two charges for one idempotency key.

1. A PENDING Payment is recorded under (account, key) in its own statement; the unique key makes
   concurrent requests with one key find the same payment.
2. The processor is asked to charge with a key derived from it (the processor is idempotent too); a
   processor that names the charge before confirming it (Stripe's PaymentIntent) has that reference
   recorded on the PENDING payment first, so a crash after it is asked about by reference.
3. One transaction settles it: a conditional PENDING -> SUCCEEDED/FAILED update (one settler wins),
   the allocation to open statements, the activity event and the member's notice.
A payment left PENDING (a processor time-out, a crash between 2 and 3) is settled by
`models.billing.reconcile`, which asks the processor again with the same key (or recorded reference): it
answers the first result. A charge waiting for the member (3-D Secure) stays PENDING with its
`next_action` link, and the member is told once; its later answer (a webhook through `settle_reference`,
or reconcile) settles it, or reconcile gives it up after a day."""

from __future__ import annotations

import asyncio
import logging

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import activity
from models.access import Permission
from models.activity import ActivityKind
from models.billing import messages as billing_messages
from models.billing.awaiting import await_member
from models.billing.models import (
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
    format_money,
)
from models.billing.processor import ChargeResult, PaymentProcessor, RecordReference, default_processor
from models.db.clock import utcnow
from models.notify.send import notify_account

log = logging.getLogger(__name__)

# How long a request that finds its key's payment still being charged waits for it to settle.
SETTLE_WAIT_SECONDS = 2.0
SETTLE_POLL_SECONDS = 0.05


# Autopay's keys are `autopay:<statement id>:<attempt date>` (models/billing/autopay.attempt_key); no other
# payment may take one, or a manual payment made first would block that day's autopay charge.
AUTOPAY_KEY_PREFIX = "autopay:"


class IdempotencyKeyReused(Exception):
    """The key was first used for a different request (amount, method, source or statement)."""


def reserved_for_autopay(idempotency_key: str) -> bool:
    return idempotency_key.startswith(AUTOPAY_KEY_PREFIX)


def processor_key(account_id: int, idempotency_key: str) -> str:
    """The processor's key of a payment: payment keys are unique per account, the processor's globally."""
    return f"{account_id}:{idempotency_key}"


# How people write the brands the processor names in lower case ("visa"); the portal names them alike.
BRAND_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"}


def describe_method(method: PaymentMethod) -> str:
    """ "Visa ending 4242" or "Sandbox Bank account ending 6789", for notices and the activity log."""
    brand = BRAND_NAMES.get((method.brand or "").lower(), method.brand) if method.brand else None
    if method.kind is PaymentMethodKind.BANK_ACCOUNT:
        return f"{brand or 'Bank'} account ending {method.last4}"
    return f"{brand or 'Card'} ending {method.last4}"


async def charge(
    *,
    account_id: int,
    amount: int,
    payment_method: PaymentMethod,
    idempotency_key: str,
    source: PaymentSource,
    statement_id: int | None = None,
    actor_id: int | None = None,
    ip_address: str | None = None,
    processor: PaymentProcessor | None = None,
) -> Payment:
    """Charge once per (account, key) and settle. Returns the payment as it stands: SUCCEEDED, FAILED,
    or PENDING when the processor's answer is unknown (a time-out or error: it is not raised, the
    payment waits for `reconcile_pending`). Raises IdempotencyKeyReused for the key of another request,
    and ValueError for autopay's key on another source (callers check `reserved_for_autopay` first)."""
    if source != PaymentSource.AUTOPAY and reserved_for_autopay(idempotency_key):
        raise ValueError(f"idempotency keys starting with {AUTOPAY_KEY_PREFIX!r} are autopay's")
    fingerprint = f"{amount}:{payment_method.id}:{source}:{statement_id}"
    try:
        # One INSERT commits on its own: a transaction around it would only add two round trips.
        payment = await Payment.create(
            account_id=account_id,
            amount=amount,
            source=source,
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint,
            payment_method_id=payment_method.id,
            statement_id=statement_id,
            paid_by_id=actor_id,
        )
    except IntegrityError:
        existing = await Payment.get(account_id=account_id, idempotency_key=idempotency_key)
        if existing.request_fingerprint != fingerprint:
            raise IdempotencyKeyReused(idempotency_key) from None
        return await _settled_soon(existing)
    try:
        result = await (processor or default_processor()).charge(
            amount,
            payment_method.processor_token,
            processor_key(account_id, idempotency_key),
            account_id=account_id,
            record_reference=reference_recorder(payment),
            off_session=source == PaymentSource.AUTOPAY,
        )
    except Exception:
        # The outcome is unknown: the payment stays PENDING until reconcile_pending asks again.
        log.warning("charge of payment %s left pending", payment.id, exc_info=True)
        return await Payment.get(id=payment.id)
    if result.next_action is not None:
        return await await_member(payment, describe_method(payment_method), result)
    return await settle(payment, payment_method, result, actor_id=actor_id, ip_address=ip_address)


def reference_recorder(payment: Payment) -> RecordReference:
    async def record(reference: str) -> None:
        await Payment.filter(id=payment.id, status=PaymentStatus.PENDING).update(
            processor_reference=reference
        )

    return record


async def _settled_soon(payment: Payment) -> Payment:
    """The payment, after waiting briefly for the request that is charging it to settle it."""
    waited = 0.0
    while payment.status == PaymentStatus.PENDING and waited < SETTLE_WAIT_SECONDS:
        await asyncio.sleep(SETTLE_POLL_SECONDS)
        waited += SETTLE_POLL_SECONDS
        payment = await Payment.get(id=payment.id)
    return payment


async def settle(
    payment: Payment,
    method: PaymentMethod,
    result: ChargeResult,
    *,
    actor_id: int | None = None,
    ip_address: str | None = None,
) -> Payment:
    """Record the processor's answer once (only one settler wins), with its allocation and notices."""
    outcome = {
        "status": PaymentStatus.SUCCEEDED if result.succeeded else PaymentStatus.FAILED,
        "failure_reason": None if result.succeeded else (result.failure_reason or "declined"),
        "processor_reference": result.reference or payment.processor_reference,
        "next_action": None,
        "settled_at": utcnow(),
    }
    async with in_transaction() as connection:
        won = (
            await Payment.filter(id=payment.id, status=PaymentStatus.PENDING)
            .using_db(connection)
            .update(**outcome)
        )
        if won:
            await _record_outcome(
                payment, method, result, actor_id=actor_id, ip_address=ip_address, using_db=connection
            )
    if not won:
        return await Payment.get(id=payment.id)  # as the settler that won left it
    for name, value in outcome.items():
        setattr(payment, name, value)
    return payment


async def _record_outcome(
    payment: Payment,
    method: PaymentMethod,
    result: ChargeResult,
    *,
    actor_id: int | None,
    ip_address: str | None,
    using_db: BaseDBAsyncClient,
) -> None:
    account_id = payment.account_id
    paid_by = describe_method(method)
    if result.succeeded:
        await _allocate(payment, using_db)
        kind, text = (
            ActivityKind.PAYMENT_SUCCEEDED,
            billing_messages.payment_receipt(payment.amount, paid_by, result.reference),
        )
        summary = f"Payment of {format_money(payment.amount)} by {paid_by} succeeded"
        message_kind = billing_messages.PAYMENT_RECEIPT
    else:
        reason = result.failure_reason or "declined"
        kind, text = (
            ActivityKind.PAYMENT_FAILED,
            billing_messages.payment_failed(payment.amount, paid_by, reason),
        )
        summary = f"Payment of {format_money(payment.amount)} by {paid_by} failed: {reason}"
        message_kind = billing_messages.PAYMENT_FAILED
    if payment.source == PaymentSource.AUTOPAY:
        summary = f"Autopay: {summary[0].lower()}{summary[1:]}"
    await activity.record(
        account_id, kind, summary, actor_id=actor_id, ip_address=ip_address, using_db=using_db
    )
    await notify_account(
        account_id, "billing", Permission.VIEW_BILLING, text, message_kind, using_db=using_db
    )


async def _allocate(payment: Payment, using_db: BaseDBAsyncClient) -> None:
    """Spread the amount over the payment's statement first, then the oldest open statements."""
    account_id = payment.account_id
    statements = (
        await Statement.filter(account_id=account_id, status=StatementStatus.OPEN)
        .order_by("due_date", "period_start", "id")
        .select_for_update()
        .using_db(using_db)
    )
    statement_id = payment.statement_id
    statements.sort(key=lambda statement: statement.id != statement_id)
    left = payment.amount
    for statement in statements:
        if left <= 0:
            break
        share = min(left, statement.amount_due - statement.amount_paid)
        if share <= 0:
            continue
        left -= share
        statement.amount_paid += share
        if statement.amount_paid >= statement.amount_due:
            statement.status = StatementStatus.PAID
        await statement.save(update_fields=["amount_paid", "status"], using_db=using_db)


async def settle_reference(reference: str, result: ChargeResult) -> Payment | None:
    """Settle the PENDING payment whose processor reference this is, with the processor's late answer
    (a webhook); None when no such payment waits (already settled, or not ours)."""
    payment = await Payment.get_or_none(processor_reference=reference, status=PaymentStatus.PENDING)
    if payment is None:
        return None
    method_id = payment.payment_method_id
    method = await PaymentMethod.get_or_none(id=method_id) if method_id else None
    if method is None:
        method = PaymentMethod(brand=None, kind=PaymentMethodKind.CARD, last4="????")
    return await settle(payment, method, result)
