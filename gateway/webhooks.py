"""POST /webhooks/stripe: Stripe's late answers about our PaymentIntents (a member finished 3-D Secure,
a charge failed later), believed only when signed with STRIPE_WEBHOOK_SECRET. A payment whose webhook
never comes is settled all the same by the reconcile job, which asks Stripe."""

from __future__ import annotations

import logging

import stripe
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.settings import Settings
from models.billing.charge import settle_reference
from models.billing.stripe_processor import result_of

log = logging.getLogger(__name__)

SETTLING_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled")
# A signed event older than this is refused: a replayed capture of an old one changes nothing.
TOLERANCE_SECONDS = 300


def webhook_routes(settings: Settings) -> list[Route]:
    """The Stripe webhook, when Stripe is the processor and its secret is set; otherwise no route."""
    secret = settings.stripe_webhook_secret
    if settings.payment_processor != "stripe" or not secret:
        return []

    async def stripe_webhook(request: Request) -> JSONResponse:
        payload = await request.body()
        try:
            event = stripe.Webhook.construct_event(
                payload, request.headers.get("stripe-signature"), secret, tolerance=TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, ValueError):
            log.warning("stripe webhook refused: bad signature or body")
            return JSONResponse({"error": "invalid signature"}, status_code=400)
        if event.type not in SETTLING_EVENTS:
            return JSONResponse({"received": True, "settled": False})
        intent = event.to_dict()["data"]["object"]
        result = result_of(intent)
        settled = None
        if result is not None and result.next_action is None:
            settled = await settle_reference(str(intent.get("id")), result)
        return JSONResponse({"received": True, "settled": settled is not None})

    return [Route("/webhooks/stripe", stripe_webhook, methods=["POST"])]
