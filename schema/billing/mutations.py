"""Billing mutations: payment methods, payBill, autopay enrolment."""

from __future__ import annotations

import strawberry

from models.access import Permission
from models.billing import autopay_enrollment, methods
from models.billing.errors import BillingRefusals, BillingRefused
from schema.billing.inputs import (
    AddPaymentMethodInput,
    AutopayPayload,
    EnrollAutopayInput,
    PayBillInput,
    PaymentMethodPayload,
    PaymentPayload,
)
from schema.billing.pay_bill import pay_bill
from schema.billing.processor import processor_of
from schema.billing.types import AutopayType, PaymentMethodType
from schema.errors import refusal_error
from schema.ids import pk_of
from schema.node import given
from schema.permissions import Info, Requires, SteppedUp, principal_of
from schema.security.types import OkPayload, ok, refused

MANAGE_METHODS = Requires(Permission.MANAGE_PAYMENT_METHODS)


def method_pk(id: strawberry.ID) -> int | None:
    return pk_of(str(id), "PaymentMethod")


def ip_of(info: Info) -> str | None:
    return info.context.client.ip_address


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[MANAGE_METHODS, SteppedUp])
    async def add_payment_method(self, info: Info, input: AddPaymentMethodInput) -> PaymentMethodPayload:
        member = principal_of(info).member
        try:
            method = await methods.add_method(
                member,
                processor_of(info),
                input.processor_token,
                make_default=bool(input.make_default),
                ip_address=ip_of(info),
            )
        except BillingRefused as refusal:
            return PaymentMethodPayload(errors=[refusal_error(refusal)])
        return PaymentMethodPayload(payment_method=PaymentMethodType.from_model(method))

    @strawberry.mutation(
        permission_classes=[MANAGE_METHODS],
        description="Refused with PAYMENT_METHOD_IN_USE while autopay charges it: cancel autopay first.",
    )
    async def remove_payment_method(self, info: Info, id: strawberry.ID) -> OkPayload:
        member = principal_of(info).member
        try:
            await methods.remove_method(member, method_pk(id), ip_address=ip_of(info))
        except BillingRefused as refusal:
            return refused(refusal_error(refusal))
        return ok()

    @strawberry.mutation(permission_classes=[MANAGE_METHODS])
    async def set_default_payment_method(self, info: Info, id: strawberry.ID) -> PaymentMethodPayload:
        member = principal_of(info).member
        try:
            method = await methods.make_default(member, method_pk(id), ip_address=ip_of(info))
        except BillingRefused as refusal:
            return PaymentMethodPayload(errors=[refusal_error(refusal)])
        return PaymentMethodPayload(payment_method=PaymentMethodType.from_model(method))

    @strawberry.mutation(permission_classes=[Requires(Permission.PAY_BILLS)])
    async def pay_bill(self, info: Info, input: PayBillInput) -> PaymentPayload:
        return await pay_bill(info, input)

    @strawberry.mutation(permission_classes=[MANAGE_METHODS, SteppedUp])
    async def enroll_autopay(self, info: Info, input: EnrollAutopayInput) -> AutopayPayload:
        member = principal_of(info).member
        try:
            enrollment = await autopay_enrollment.enroll(
                member,
                method_pk(input.payment_method_id),
                days_before_due=input.days_before_due if input.days_before_due is not None else 0,
                max_amount=given(input.max_amount),
                ip_address=ip_of(info),
            )
        except BillingRefusals as refusals:
            return AutopayPayload(errors=[refusal_error(refusal) for refusal in refusals.refusals])
        return AutopayPayload(autopay=AutopayType(model=enrollment))

    @strawberry.mutation(
        permission_classes=[MANAGE_METHODS],
        description="Idempotent: cancelling when autopay is off answers the (disabled) enrolment, or null.",
    )
    async def cancel_autopay(self, info: Info) -> AutopayPayload:
        enrollment = await autopay_enrollment.cancel(principal_of(info).member, ip_address=ip_of(info))
        return AutopayPayload(autopay=AutopayType(model=enrollment) if enrollment else None)
