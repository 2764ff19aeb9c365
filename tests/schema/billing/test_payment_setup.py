"""Query.paymentSetup with the sandbox (development): no Stripe.js to load. Readable without a session: it
holds nothing that is not public (tests/stripe/test_payment_setup.py has Stripe's)."""

from __future__ import annotations

import httpx

from tests.billing_support import billing_session
from tests.support import count_queries, gql

PAYMENT_SETUP = "{ paymentSetup { processor publishableKey stripeJsUrl } }"


async def test_with_the_sandbox_there_is_no_stripe_js_to_load(client: httpx.AsyncClient) -> None:
    # given a member who may add payment methods, and a caller with no session
    _, token = await billing_session(client)
    # when
    signed_in = await gql(client, PAYMENT_SETUP, token=token)
    with count_queries() as statements:
        anonymous = await gql(client, PAYMENT_SETUP)
    # then both read the same, and it takes no SQL statement
    expected = {"processor": "SANDBOX", "publishableKey": None, "stripeJsUrl": None}
    assert signed_in == {"data": {"paymentSetup": expected}}
    assert anonymous == {"data": {"paymentSetup": expected}}
    assert statements == []
