"""Billing inputs and payloads."""

from __future__ import annotations

import strawberry

from schema.billing.types import AutopayType, PaymentMethodType, PaymentType
from schema.errors import UserError


@strawberry.input
class AddPaymentMethodInput:
    processor_token: str = strawberry.field(
        description=("Token from the payment processor's client-side tokenization (never a raw card number).")
    )
    make_default: bool | None = False


@strawberry.input
class PayBillInput:
    payment_method_id: strawberry.ID
    amount: int | None = strawberry.field(
        default=strawberry.UNSET, description="Omitted: the whole current balance."
    )
    idempotency_key: str = strawberry.field(
        description="Same key within 24 h = same payment, never a second charge."
    )


@strawberry.input
class EnrollAutopayInput:
    payment_method_id: strawberry.ID
    days_before_due: int | None = 0
    max_amount: int | None = strawberry.UNSET


@strawberry.type
class PaymentMethodPayload:
    payment_method: PaymentMethodType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PaymentPayload:
    payment: PaymentType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AutopayPayload:
    autopay: AutopayType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
