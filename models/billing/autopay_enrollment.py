"""Turning autopay on (by a method, some days before each due date, up to a ceiling) and off.

Each change commits the enrolment, its activity event and the household's notice in one transaction;
models/billing/autopay.py is what charges the enrolled accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import activity
from models.access import Permission
from models.activity import ActivityKind
from models.billing import messages as billing_messages
from models.billing.charge import describe_method
from models.billing.errors import BillingRefusals, BillingRefused, Refusal
from models.billing.methods import active_method, lock_active_method
from models.billing.models import AutopayEnrollment, PaymentMethod, format_money
from models.notify.messages import Text
from models.notify.send import notify_account

if TYPE_CHECKING:
    from models.members.models import Member

MAX_DAYS_BEFORE_DUE = 28


async def enroll(
    member: Member,
    method_id: int | None,
    *,
    days_before_due: int = 0,
    max_amount: int | None = None,
    ip_address: str | None = None,
) -> AutopayEnrollment:
    """Autopay the member's account by its method `method_id`, `days_before_due` days before each due date,
    statements up to `max_amount` cents (None: any). Raises BillingRefusals with every field's problem."""
    refusals: list[BillingRefused] = []
    if not 0 <= days_before_due <= MAX_DAYS_BEFORE_DUE:
        refusals.append(
            BillingRefused(Refusal.INVALID_INPUT, f"Use 0 to {MAX_DAYS_BEFORE_DUE} days.", "daysBeforeDue")
        )
    if max_amount is not None and max_amount <= 0:
        refusals.append(
            BillingRefused(Refusal.INVALID_AMOUNT, "The ceiling must be a positive amount.", "maxAmount")
        )
    method: PaymentMethod | None = None
    try:
        method = await active_method(member.account_id, method_id, "paymentMethodId")
    except BillingRefused as not_found:
        refusals.append(not_found)
    if refusals or method is None:
        raise BillingRefusals(refusals)
    account_id = member.account_id
    async with in_transaction() as connection:
        try:
            await lock_active_method(method, "paymentMethodId", connection)
        except BillingRefused as removed:
            raise BillingRefusals([removed]) from None
        enrollment, _ = await AutopayEnrollment.update_or_create(
            defaults={
                "payment_method_id": method.id,
                "days_before_due": days_before_due,
                "max_amount": max_amount,
                "enabled": True,
            },
            account_id=account_id,
            using_db=connection,
        )
        ceiling = f", up to {format_money(max_amount)}" if max_amount is not None else ""
        await _record(
            member,
            ActivityKind.AUTOPAY_ENROLLED,
            f"turned on autopay by {describe_method(method)}, {days_before_due} days before due{ceiling}",
            ip_address,
            connection,
        )
        await _tell(account_id, billing_messages.autopay_changed(True, describe_method(method)), connection)
    return enrollment


async def cancel(member: Member, *, ip_address: str | None = None) -> AutopayEnrollment | None:
    """Turn autopay off for the member's account. Idempotent: answers the (disabled) enrolment, or None
    when there never was one; only a change is logged and told."""
    account_id = member.account_id
    async with in_transaction() as connection:
        cancelled = (
            await AutopayEnrollment.filter(account_id=account_id, enabled=True)
            .using_db(connection)
            .update(enabled=False)
        )
        if cancelled:
            await _record(
                member, ActivityKind.AUTOPAY_CANCELLED, "turned off autopay", ip_address, connection
            )
            await _tell(account_id, billing_messages.autopay_changed(False), connection)
    return await AutopayEnrollment.get_or_none(account_id=account_id)


async def _record(
    member: Member, kind: ActivityKind, summary: str, ip_address: str | None, using_db: BaseDBAsyncClient
) -> None:
    await activity.record_by(
        member, kind, f"{member.display_name} {summary}", ip_address=ip_address, using_db=using_db
    )


async def _tell(account_id: int, text: Text, using_db: BaseDBAsyncClient) -> None:
    await notify_account(
        account_id,
        "billing",
        Permission.VIEW_BILLING,
        text,
        billing_messages.AUTOPAY_CHANGED,
        using_db=using_db,
    )
