"""Query.paymentSetup: what the portal needs to take a payment method (which processor, Stripe.js)."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.permissions import Info


@strawberry.enum(name="PaymentProcessorKind")
class PaymentProcessorKind(Enum):
    STRIPE = "stripe"
    SANDBOX = "sandbox"
    NONE = "none"


@strawberry.type(
    name="PaymentSetup",
    description="How payment methods are added here. With STRIPE the portal loads Stripe.js from "
    "`stripeJsUrl` with `publishableKey` and sends the PaymentMethod id it makes to `addPaymentMethod`; with "
    "SANDBOX it sends the sandbox's test tokens; with NONE payments are unavailable.",
)
class PaymentSetupType:
    processor: PaymentProcessorKind
    publishable_key: str | None = strawberry.field(
        description="Stripe's publishable key (pk_...) for Stripe.js; null unless the processor is STRIPE."
    )
    stripe_js_url: str | None = strawberry.field(
        description="Where to load Stripe.js from; null unless the processor is STRIPE."
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="Readable without a session: what it holds is public by design (a publishable key is "
        "made to be sent to browsers, and Stripe.js's origin is in every portal page's CSP header)."
    )
    def payment_setup(self, info: Info) -> PaymentSetupType:
        settings = info.context.settings
        stripe = settings.payment_processor == "stripe"
        return PaymentSetupType(
            processor=PaymentProcessorKind(settings.payment_processor),
            publishable_key=settings.stripe_publishable_key if stripe else None,
            stripe_js_url=settings.stripe_js_url if stripe else None,
        )
