"""Billing mutations: payment methods, payBill, autopay enrolment."""

from __future__ import annotations

import strawberry
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import activity
from models.access import Permission
from models.activity import ActivityKind
from models.billing import messages as billing_messages
from models.billing.charge import describe_method
from models.billing.methods import save_method
from models.billing.models import AutopayEnrollment, PaymentMethod, format_money
from models.billing.processor import ProcessorUnavailable
from models.db.clock import utcnow
from models.notify.send import notify_account
from schema.billing.inputs import (
    MAX_DAYS_BEFORE_DUE,
    MAX_PROCESSOR_TOKEN,
    AddPaymentMethodInput,
    AutopayPayload,
    EnrollAutopayInput,
    PayBillInput,
    PaymentMethodPayload,
    PaymentPayload,
)
from schema.billing.lookup import active_method, method_not_found
from schema.billing.pay_bill import pay_bill
from schema.billing.processor import payments_unavailable, processor_of
from schema.billing.types import AutopayType, PaymentMethodType
from schema.errors import ErrorCode, UserError, user_error
from schema.node import given
from schema.permissions import Info, Requires, SteppedUp, principal_of
from schema.security.types import OkPayload, ok, refused

MANAGE_METHODS = Requires(Permission.MANAGE_PAYMENT_METHODS)


async def _make_default(method: PaymentMethod, using_db: BaseDBAsyncClient) -> None:
    account_id = method.account_id
    await (
        PaymentMethod.filter(account_id=account_id, is_default=True)
        .exclude(id=method.id)
        .using_db(using_db)
        .update(is_default=False)
    )
    await PaymentMethod.filter(id=method.id).using_db(using_db).update(is_default=True)
    method.is_default = True


async def _log(info: Info, kind: ActivityKind, summary: str, using_db: BaseDBAsyncClient) -> None:
    principal = principal_of(info)
    await activity.record(
        principal.account_id,
        kind,
        f"{principal.member.display_name} {summary}",
        actor_id=principal.member.id,
        ip_address=info.context.client.ip_address,
        using_db=using_db,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[MANAGE_METHODS, SteppedUp])
    async def add_payment_method(self, info: Info, input: AddPaymentMethodInput) -> PaymentMethodPayload:
        processor = processor_of(info)
        if processor is None:
            return PaymentMethodPayload(errors=[payments_unavailable()])
        token = input.processor_token.strip()
        account_id = principal_of(info).account_id
        try:
            details = (
                await processor.attach(account_id, token) if 0 < len(token) <= MAX_PROCESSOR_TOKEN else None
            )
        except ProcessorUnavailable:
            return PaymentMethodPayload(errors=[payments_unavailable()])
        if details is None:
            return PaymentMethodPayload(
                errors=[
                    user_error(
                        ErrorCode.INVALID_PAYMENT_TOKEN,
                        "The payment processor does not know this token.",
                        "processorToken",
                    )
                ]
            )
        async with in_transaction() as connection:
            method = await save_method(account_id, token, details, using_db=connection)
            others = (
                await PaymentMethod.filter(account_id=account_id, removed_at=None)
                .exclude(id=method.id)
                .using_db(connection)
                .count()
            )
            if input.make_default or others == 0:
                await _make_default(method, connection)
            await _log(
                info, ActivityKind.PAYMENT_METHOD_ADDED, f"added {describe_method(method)}", connection
            )
        return PaymentMethodPayload(payment_method=PaymentMethodType.from_model(method))

    @strawberry.mutation(
        permission_classes=[MANAGE_METHODS],
        description="Refused with PAYMENT_METHOD_IN_USE while autopay charges it: cancel autopay first.",
    )
    async def remove_payment_method(self, info: Info, id: strawberry.ID) -> OkPayload:
        method = await active_method(info, str(id))
        if method is None:
            return refused(method_not_found("id"))
        account_id = principal_of(info).account_id
        if await AutopayEnrollment.exists(account_id=account_id, payment_method_id=method.id, enabled=True):
            return refused(
                user_error(
                    ErrorCode.PAYMENT_METHOD_IN_USE,
                    "Autopay charges this payment method: change or cancel autopay first.",
                    "id",
                )
            )
        async with in_transaction() as connection:
            await (
                PaymentMethod.filter(id=method.id)
                .using_db(connection)
                .update(removed_at=utcnow(), is_default=False)
            )
            if method.is_default:
                # The newest remaining method takes over, so there is a default while any method is left.
                newest = (
                    await PaymentMethod.filter(account_id=account_id, removed_at=None)
                    .order_by("-id")
                    .using_db(connection)
                    .first()
                )
                if newest is not None:
                    await _make_default(newest, connection)
            await _log(
                info, ActivityKind.PAYMENT_METHOD_REMOVED, f"removed {describe_method(method)}", connection
            )
        return ok()

    @strawberry.mutation(permission_classes=[MANAGE_METHODS])
    async def set_default_payment_method(self, info: Info, id: strawberry.ID) -> PaymentMethodPayload:
        method = await active_method(info, str(id))
        if method is None:
            return PaymentMethodPayload(errors=[method_not_found("id")])
        async with in_transaction() as connection:
            await _make_default(method, connection)
            await _log(
                info,
                ActivityKind.PAYMENT_METHOD_DEFAULT,
                f"made {describe_method(method)} the default",
                connection,
            )
        return PaymentMethodPayload(payment_method=PaymentMethodType.from_model(method))

    @strawberry.mutation(permission_classes=[Requires(Permission.PAY_BILLS)])
    async def pay_bill(self, info: Info, input: PayBillInput) -> PaymentPayload:
        return await pay_bill(info, input)

    @strawberry.mutation(permission_classes=[MANAGE_METHODS, SteppedUp])
    async def enroll_autopay(self, info: Info, input: EnrollAutopayInput) -> AutopayPayload:
        days = input.days_before_due if input.days_before_due is not None else 0
        max_amount = given(input.max_amount)
        errors: list[UserError] = []
        if not 0 <= days <= MAX_DAYS_BEFORE_DUE:
            errors.append(
                user_error(ErrorCode.INVALID_INPUT, f"Use 0 to {MAX_DAYS_BEFORE_DUE} days.", "daysBeforeDue")
            )
        if max_amount is not None and max_amount <= 0:
            errors.append(
                user_error(ErrorCode.INVALID_AMOUNT, "The ceiling must be a positive amount.", "maxAmount")
            )
        method = await active_method(info, str(input.payment_method_id))
        if method is None:
            errors.append(method_not_found("paymentMethodId"))
        if errors or method is None:
            return AutopayPayload(errors=errors)
        account_id = principal_of(info).account_id
        async with in_transaction() as connection:
            enrollment, _ = await AutopayEnrollment.update_or_create(
                defaults={
                    "payment_method_id": method.id,
                    "days_before_due": days,
                    "max_amount": max_amount,
                    "enabled": True,
                },
                account_id=account_id,
                using_db=connection,
            )
            ceiling = f", up to {format_money(max_amount)}" if max_amount is not None else ""
            await _log(
                info,
                ActivityKind.AUTOPAY_ENROLLED,
                f"turned on autopay by {describe_method(method)}, {days} days before due{ceiling}",
                connection,
            )
            await notify_account(
                account_id,
                "billing",
                Permission.VIEW_BILLING,
                billing_messages.autopay_changed(True, describe_method(method)),
                billing_messages.AUTOPAY_CHANGED,
                using_db=connection,
            )
        return AutopayPayload(autopay=AutopayType(model=enrollment))

    @strawberry.mutation(
        permission_classes=[MANAGE_METHODS],
        description="Idempotent: cancelling when autopay is off answers the (disabled) enrolment, or null.",
    )
    async def cancel_autopay(self, info: Info) -> AutopayPayload:
        account_id = principal_of(info).account_id
        async with in_transaction() as connection:
            cancelled = (
                await AutopayEnrollment.filter(account_id=account_id, enabled=True)
                .using_db(connection)
                .update(enabled=False)
            )
            if cancelled:
                await _log(info, ActivityKind.AUTOPAY_CANCELLED, "turned off autopay", connection)
                await notify_account(
                    account_id,
                    "billing",
                    Permission.VIEW_BILLING,
                    billing_messages.autopay_changed(False),
                    billing_messages.AUTOPAY_CHANGED,
                    using_db=connection,
                )
        enrollment = await AutopayEnrollment.get_or_none(account_id=account_id)
        return AutopayPayload(autopay=AutopayType(model=enrollment) if enrollment else None)
