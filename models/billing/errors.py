"""Why a billing operation (a payment method change, payBill, autopay enrolment) is refused."""

from __future__ import annotations

from enum import StrEnum

from models.errors import Refused


class Refusal(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_PAYMENT_TOKEN = "INVALID_PAYMENT_TOKEN"
    PAYMENT_METHOD_IN_USE = "PAYMENT_METHOD_IN_USE"
    PAYMENTS_UNAVAILABLE = "PAYMENTS_UNAVAILABLE"
    NOTHING_TO_PAY = "NOTHING_TO_PAY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


class BillingRefused(Refused):
    reason: Refusal

    def __init__(self, reason: Refusal, message: str, field: str | None = None) -> None:
        super().__init__(reason, message, field)


class BillingRefusals(Exception):
    """Several fields refused at once (autopay's terms and its method), so a form can mark each."""

    def __init__(self, refusals: list[BillingRefused]) -> None:
        super().__init__("; ".join(refusal.message for refusal in refusals))
        self.refusals = refusals


def method_not_found(field: str) -> BillingRefused:
    return BillingRefused(Refusal.NOT_FOUND, "No such payment method on this account.", field)


def payments_unavailable() -> BillingRefused:
    """No payment processor is configured (production today): nothing may be charged or saved."""
    return BillingRefused(
        Refusal.PAYMENTS_UNAVAILABLE,
        "Payments are not available right now; nothing was charged. Please try again later.",
    )
