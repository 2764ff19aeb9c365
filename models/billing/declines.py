"""A declined payment in words a member understands. The processor's code (card_declined, ...) stays on
the payment, in the activity log and in operators' logs; members read the sentence."""

from __future__ import annotations

from models.billing.processor import AUTHENTICATION_ABANDONED

GENERIC_DECLINE = "Your payment did not go through. Try another payment method or contact your bank."

_DECLINED = "Your card was declined. Try another card or contact your bank."
_LIMIT = "Your card has reached its spending limit. Try another card or contact your bank."

# Stripe's decline and error codes (the sandbox uses the same ones) that members meet most.
DECLINE_SENTENCES: dict[str, str] = {
    "card_declined": _DECLINED,
    "generic_decline": _DECLINED,
    "do_not_honor": _DECLINED,
    "insufficient_funds": "Your card has insufficient funds. Try another card or a smaller amount.",
    "expired_card": "Your card has expired. Add a current card and try again.",
    "incorrect_cvc": "The card's security code was not accepted. Check the card or try another one.",
    "incorrect_number": "The card number was not accepted. Add the card again or try another one.",
    "processing_error": "Your bank could not process the payment just now. Try again in a few minutes.",
    "lost_card": "Your card was declined. Contact your bank, or try another card.",
    "stolen_card": "Your card was declined. Contact your bank, or try another card.",
    "card_velocity_exceeded": _LIMIT,
    "withdrawal_count_limit_exceeded": _LIMIT,
    "authentication_required": "Your bank asked to confirm the payment. Try again and confirm it when asked.",
    AUTHENTICATION_ABANDONED: "The payment was never confirmed with your bank, so nothing was charged.",
    "payment_method_missing": "The payment method was removed before the payment went through.",
    "invalid_token": "This payment method could not be used. Add it again or try another one.",
}


def decline_sentence(reason: str | None) -> str:
    """The sentence for the processor's `reason`; a generic one for a code we do not know."""
    return DECLINE_SENTENCES.get(reason or "", GENERIC_DECLINE)
