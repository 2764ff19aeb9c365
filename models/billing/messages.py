"""The texts of billing notices: statement ready and overdue, payment receipt, payment failed, autopay
changes, a saved card about to expire."""

from __future__ import annotations

from datetime import date

from models.billing.declines import decline_sentence
from models.billing.models import format_money
from models.billing.processor import AUTHENTICATION_ABANDONED
from models.notify.messages import Text
from models.notify.outbox import MessageKind

# Outbox `kind`s of billing messages (tests and workers look them up by these).
STATEMENT_READY = MessageKind.STATEMENT_READY
PAYMENT_RECEIPT = MessageKind.PAYMENT_RECEIPT
PAYMENT_FAILED = MessageKind.PAYMENT_FAILED
AUTOPAY_CHANGED = MessageKind.AUTOPAY_CHANGED
PAYMENT_ACTION_NEEDED = MessageKind.PAYMENT_ACTION_NEEDED
STATEMENT_OVERDUE = MessageKind.STATEMENT_OVERDUE
CARD_EXPIRING = MessageKind.CARD_EXPIRING


def _text(subject: str, sentence: str) -> Text:
    return Text(subject=subject, body=f"Hello,\n\n{sentence}\n\nThank you for being our customer.\n")


def statement_ready(amount: int, due: date) -> Text:
    return _text(
        "Your statement is ready",
        f"Your new statement is ready: {format_money(amount)} due on {due.isoformat()}.",
    )


def payment_receipt(amount: int, method: str, reference: str | None) -> Text:
    return _text(
        f"Payment received: {format_money(amount)}",
        f"We received your payment of {format_money(amount)} by {method}. Reference: {reference or '-'}.",
    )


def payment_failed(amount: int, method: str, reason: str) -> Text:
    if reason == AUTHENTICATION_ABANDONED:
        return _text(
            "Your payment was cancelled",
            f"Your payment of {format_money(amount)} by {method} was never confirmed with your bank, so we "
            "cancelled it. Nothing was charged; pay again when you are ready.",
        )
    return _text(
        "Your payment did not go through",
        f"Your payment of {format_money(amount)} by {method} did not go through, and nothing was charged. "
        f"{decline_sentence(reason)}",
    )


def payment_needs_action(amount: int, method: str, link: str) -> Text:
    return Text(
        subject="Confirm your payment",
        body=(
            f"Hello,\n\nYour bank asks you to confirm your payment of {format_money(amount)} by {method}. "
            f"Nothing is charged until you do. Complete the payment here:\n\n{link}\n\n"
            # The portal's Billing page shows the same link, in the same words (web/src/pages/billing/).
            'The payment also waits in your payment history on the Billing page, with a "Complete payment" '
            "link.\n\nThank you for being our customer.\n"
        ),
    )


def autopay_changed(enabled: bool, method: str | None = None) -> Text:
    if enabled:
        return _text("Autopay is on", f"Autopay is on: your statements will be paid by {method}.")
    return _text("Autopay is off", "Autopay is off: pay your statements yourself from now on.")


def autopay_reminder(amount: int, charge_date: date, due_date: date) -> Text:
    return _text(
        "Autopay will pay your statement soon",
        f"Autopay will charge {format_money(amount)} on {charge_date.isoformat()} "
        f"for your statement due {due_date.isoformat()}. There is nothing for you to do.",
    )


def ceiling_skipped(amount: int, ceiling: int, due_date: date) -> Text:
    return _text(
        "Autopay did not pay your statement",
        f"Your statement of {format_money(amount)} is above your autopay limit of {format_money(ceiling)}, "
        f"so autopay did not charge it. Please pay it by {due_date.isoformat()}.",
    )


def autopay_gave_up(attempts: int, amount: int, due_date: date) -> Text:
    return _text(
        "Autopay could not pay your statement",
        f"Autopay tried {attempts} times to charge {format_money(amount)} and "
        f"each charge was refused, so it has stopped trying. Please pay your statement due "
        f"{due_date.isoformat()} with another payment method.",
    )


def statement_overdue(public_url: str, amount: int, due_date: date) -> Text:
    return _text(
        "Your statement is overdue",
        f"Your statement of {format_money(amount)} was due on {due_date.isoformat()} and is not paid yet. "
        f"Please pay it as soon as you can:\n{public_url}/billing",
    )


def card_expiring(public_url: str, method: str, expires: str) -> Text:
    return _text(
        "Your saved card expires soon",
        f"Your saved {method} expires at the end of {expires}. Add a new card before then, and choose it "
        f"for autopay if autopay pays with this one:\n{public_url}/billing",
    )
