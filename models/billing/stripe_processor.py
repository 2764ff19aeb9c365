"""Stripe behind the PaymentProcessor interface: a Stripe customer per account, PaymentMethods (`pm_...`
from Stripe.js) attached to it, and one PaymentIntent per payment.

A charge creates the intent under our idempotency key, hands its id to the caller to record on the
PENDING payment, and only then confirms it (again under a key of ours); asked again with that id after a
crash, it retrieves the intent and confirms it only if no confirmation reached Stripe. Every call goes
through StripeClient's async methods over httpx, with a time-out and no retries of its own: a time-out
or a Stripe outage raises ProcessorUnavailable and the payment waits for reconcile."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe
from stripe.params import PaymentIntentConfirmParams, PaymentIntentCreateParams
from tortoise import fields
from tortoise.models import Model

from models.billing.models import CURRENCY, PaymentMethodKind
from models.billing.processor import (
    AUTHENTICATION_ABANDONED,
    ChargeResult,
    Fault,
    ProcessorCrash,
    ProcessorUnavailable,
    RecordReference,
    TokenDetails,
)

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
# The intent's states that are an answer; the others (processing, requires_capture, ...) are not yet.
FAILED_STATES = ("requires_payment_method", "canceled")


class StripeCustomer(Model):
    """The Stripe customer of an account: its payment methods are attached to it."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.BigIntField(unique=True)
    customer_id = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stripe_customer"


@dataclass(frozen=True)
class StripeAccess:
    secret_key: str
    api_base: str
    # Where Stripe sends the member back after 3-D Secure (the portal's billing page).
    return_url: str
    timeout_seconds: float = TIMEOUT_SECONDS


def result_of(intent: dict[str, Any]) -> ChargeResult | None:
    """What a PaymentIntent says of its charge: taken, refused, waiting for the member (with the link),
    or None while Stripe has no answer yet."""
    status = intent.get("status")
    reference = intent.get("id")
    if status == "succeeded":
        return ChargeResult(succeeded=True, reference=reference, failure_reason=None)
    if status == "requires_action":
        return ChargeResult(
            succeeded=False, reference=reference, failure_reason=None, next_action=_action_link(intent)
        )
    if status in FAILED_STATES:
        error = intent.get("last_payment_error") or {}
        reason = error.get("decline_code") or error.get("code") or status
        return ChargeResult(succeeded=False, reference=reference, failure_reason=str(reason))
    return None


def _action_link(intent: dict[str, Any]) -> str:
    """Stripe's page for the member's step (a redirect when we gave a return_url), else Stripe's hint."""
    action = intent.get("next_action") or {}
    redirect = action.get("redirect_to_url") or {}
    return str(redirect.get("url") or f"stripe:{action.get('type') or 'use_stripe_sdk'}:{intent.get('id')}")


class StripeProcessor:
    """PAYMENT_PROCESSOR=stripe. `fault` is the test switch of the sandbox's: "crash_after_charge" raises
    ProcessorCrash once Stripe has confirmed the charge, before anything of ours records the answer."""

    def __init__(self, access: StripeAccess, fault: Fault = "none") -> None:
        self.access = access
        self.fault = fault
        self.http = stripe.HTTPXClient(timeout=access.timeout_seconds)
        self.client = stripe.StripeClient(
            access.secret_key,
            base_addresses={"api": access.api_base},
            http_client=self.http,
            max_network_retries=0,
        )

    async def close(self) -> None:
        """Close the pool of connections (the configured processor keeps its pool for the process)."""
        await self.http.close_async()  # type: ignore[no-untyped-call]  # untyped in stripe 16

    async def attach(self, account_id: int, token: str) -> TokenDetails | None:
        if not token.startswith("pm_"):
            return None
        try:
            customer = await self.customer_of(account_id)
            method = await self.client.v1.payment_methods.attach_async(token, {"customer": customer})
        except (stripe.InvalidRequestError, stripe.CardError):
            return None  # no such method, or one already attached elsewhere, or refused by the bank
        except stripe.StripeError as error:
            raise ProcessorUnavailable(f"stripe: {type(error).__name__}") from error
        return _details(method.to_dict())

    async def customer_of(self, account_id: int) -> str:
        """The account's Stripe customer, created on first use. Concurrent first uses (two tabs adding a
        card) each create one at Stripe, but the unique account_id keeps the first recorded, which every
        one of them then uses; the others delete theirs, so Stripe keeps no empty twin customers."""
        row = await StripeCustomer.get_or_none(account_id=account_id)
        if row is not None:
            return row.customer_id
        customers = self.client.v1.customers
        created = (await customers.create_async({"metadata": {"account_id": str(account_id)}})).id
        await StripeCustomer.bulk_create(
            [StripeCustomer(account_id=account_id, customer_id=created)], ignore_conflicts=True
        )
        recorded = (await StripeCustomer.get(account_id=account_id)).customer_id
        if recorded != created:
            try:
                await customers.delete_async(created)
            except stripe.StripeError as error:  # an empty customer left over harms no one
                log.warning("could not delete the unused Stripe customer %s: %s", created, error)
        return recorded

    async def charge(
        self,
        amount: int,
        token: str,
        idempotency_key: str,
        *,
        account_id: int | None = None,
        reference: str | None = None,
        record_reference: RecordReference | None = None,
        off_session: bool = False,
    ) -> ChargeResult:
        intents = self.client.v1.payment_intents
        intent_id = reference
        try:
            if intent_id is not None:
                intent = await intents.retrieve_async(intent_id)
            else:
                intent = await intents.create_async(
                    await self._intent_params(amount, token, idempotency_key, account_id),
                    {"idempotency_key": f"{idempotency_key}:create"},
                )
                intent_id = intent.id
                if record_reference is not None:
                    await record_reference(intent_id)
            if intent.status == "requires_confirmation":
                confirm: PaymentIntentConfirmParams = (
                    {"off_session": True} if off_session else {"return_url": self.access.return_url}
                )
                intent = await intents.confirm_async(
                    intent_id, confirm, {"idempotency_key": f"{idempotency_key}:confirm"}
                )
            answer = intent.to_dict()
        except stripe.CardError as error:
            # A refused card: the intent went back to requires_payment_method with the bank's reason.
            answer = {
                "id": intent_id,
                "status": "requires_payment_method",
                "last_payment_error": {"code": error.code or "card_declined", **_decline_code(error)},
            }
        except stripe.InvalidRequestError as error:
            if intent_id is not None:  # the intent exists: reconcile will find out what became of it
                raise ProcessorUnavailable(f"stripe: {error.code}") from error
            # Stripe refused to create the intent (a detached or unknown method): nothing was charged.
            answer = {"status": "canceled", "last_payment_error": {"code": error.code or "invalid_request"}}
        except stripe.StripeError as error:
            raise ProcessorUnavailable(f"stripe: {type(error).__name__}") from error
        if self.fault == "crash_after_charge":
            raise ProcessorCrash("the process died after Stripe confirmed the charge")
        result = result_of(answer)
        if result is None:
            raise ProcessorUnavailable(f"stripe: intent {intent_id} is {answer.get('status')}")
        return result

    async def cancel(self, reference: str) -> ChargeResult:
        intents = self.client.v1.payment_intents
        try:
            try:
                intent = await intents.cancel_async(reference, {"cancellation_reason": "abandoned"})
            except stripe.InvalidRequestError:
                # No longer cancellable: the member authenticated (or failed to) at the last moment.
                intent = await intents.retrieve_async(reference)
            else:
                return ChargeResult(
                    succeeded=False, reference=intent.id, failure_reason=AUTHENTICATION_ABANDONED
                )
        except stripe.StripeError as error:
            raise ProcessorUnavailable(f"stripe: {type(error).__name__}") from error
        result = result_of(intent.to_dict())
        if result is None or result.next_action is not None:
            raise ProcessorUnavailable(f"stripe: intent {reference} is {intent.status}")
        return result

    async def _intent_params(
        self, amount: int, token: str, idempotency_key: str, account_id: int | None
    ) -> PaymentIntentCreateParams:
        params: PaymentIntentCreateParams = {
            "amount": amount,
            "currency": CURRENCY.lower(),
            "payment_method": token,
            "metadata": {"idempotency_key": idempotency_key},
        }
        if account_id is not None:
            params["customer"] = await self.customer_of(account_id)
        return params


def _decline_code(error: stripe.CardError) -> dict[str, str]:
    """The bank's reason (insufficient_funds, ...) when Stripe gives one beside its code."""
    body = error.json_body if isinstance(error.json_body, dict) else {}
    code = (body.get("error") or {}).get("decline_code")
    return {"decline_code": code} if code else {}


def _details(method: dict[str, Any]) -> TokenDetails | None:
    card = method.get("card")
    if method.get("type") != "card" or not card:
        return None  # only cards go through Stripe here; bank debits need mandates we do not collect
    return TokenDetails(
        kind=PaymentMethodKind.CARD,
        brand=card.get("brand"),
        last4=str(card.get("last4") or "????")[-4:],
        exp_month=card.get("exp_month"),
        exp_year=card.get("exp_year"),
    )
