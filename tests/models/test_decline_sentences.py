"""A processor's decline code becomes a sentence for the member; an unknown code a generic one."""

from __future__ import annotations

from models.billing import messages
from models.billing.declines import GENERIC_DECLINE, decline_sentence


def test_known_codes_read_as_sentences() -> None:
    assert (
        decline_sentence("card_declined") == "Your card was declined. Try another card or contact your bank."
    )
    assert decline_sentence("expired_card") == "Your card has expired. Add a current card and try again."


def test_unknown_or_missing_codes_fall_back_to_a_generic_sentence() -> None:
    assert decline_sentence("some_new_code") == GENERIC_DECLINE
    assert decline_sentence(None) == GENERIC_DECLINE
    assert (
        GENERIC_DECLINE == "Your payment did not go through. Try another payment method or contact your bank."
    )


def test_the_failed_payment_email_shows_the_sentence_not_the_code() -> None:
    # when
    text = messages.payment_failed(13998, "visa ending 0002", "card_declined")
    # then
    assert text.subject == "Your payment did not go through"
    assert (
        "Your payment of $139.98 by visa ending 0002 did not go through, and nothing was charged. "
        "Your card was declined. Try another card or contact your bank." in text.body
    )
    assert "card_declined" not in text.body
