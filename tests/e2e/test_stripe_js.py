"""Stripe.js in Chromium: with PAYMENT_PROCESSOR=stripe (against localstripe, whose fake Stripe.js
STRIPE_JS_URL points at) the billing page's "Add payment method" loads Stripe.js, mounts its Card Element
and saves the PaymentMethod it makes; a payment the member's bank wants confirmed (3-D Secure) shows
"Complete payment". With the sandbox the page never asks for Stripe.js.

localstripe's fake Card Element is plain inputs in the page (Stripe's is a frame), and its Stripe.js's
createPaymentMethod is made to work by tests/stripe/localstripe_server.py; Stripe's own page behind the
"Complete payment" link is not served by localstripe, so the test checks where the link goes."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import Page, Request, expect

from tests.blackbox import Server, body_of, started_gateway
from tests.e2e.support import PORTAL, code_in, serious_violations
from tests.e2e.test_billing import STEP_UP_SUBJECT, add_methods, billed_member, expect_in_words, open_billing
from tests.e2e.test_sign_in import sign_in
from tests.stripe.support import (
    PAY_BILL,
    PUBLISHABLE_KEY,
    SECRET_KEY,
    THREE_D_SECURE,
    new_payment_method,
    pay,
    started_localstripe,
)

pytestmark = pytest.mark.e2e

METHOD_IDS = "{ account { paymentMethods { id last4 } } }"


@pytest.fixture(scope="module")
def localstripe() -> Iterator[str]:
    with started_localstripe() as base:
        yield base


@pytest.fixture(scope="module")
async def stripe_portal(tmp_path_factory: pytest.TempPathFactory, localstripe: str) -> AsyncIterator[Server]:
    """`gateway serve` with the Stripe processor on localstripe, and its fake Stripe.js as STRIPE_JS_URL."""
    async with started_gateway(
        tmp_path_factory.mktemp("stripe-portal"),
        PORTAL_DIR=str(PORTAL),
        TRUSTED_PROXIES="127.0.0.1/32",
        PAYMENT_PROCESSOR="stripe",
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_API_BASE=localstripe,
        STRIPE_JS_URL=f"{localstripe}/js.stripe.com/v3/",
    ) as server:
        yield server


async def signed_in_at(page: Page, server: Server, username: str, password: str) -> None:
    await page.goto(f"{server.url}/sign-in")
    await sign_in(page, username, password)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def test_a_card_typed_into_stripes_card_element_is_saved_and_listed(
    stripe_portal: Server, localstripe: str, page: Page
) -> None:
    # given a member with a statement and no payment method, signed in; every request the page sends
    billed = await billed_member(stripe_portal, "Stella")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    await signed_in_at(page, stripe_portal, billed.member.username, billed.member.password)
    await open_billing(page)
    methods = page.get_by_role("region", name="Payment methods")
    # then Stripe.js is not loaded until the form opens
    assert [url for url in requests if url.startswith(localstripe)] == []

    # when they open the form
    await methods.get_by_role("button", name="Add payment method").click()
    # then Stripe.js is loaded from STRIPE_JS_URL (the CSP allows it: a refusal would be a console error)
    # and its Card Element is mounted under "Card"
    card = methods.get_by_role("group", name="Card")
    await expect(card.get_by_placeholder("number")).to_be_visible()
    assert f"{localstripe}/js.stripe.com/v3/" in requests
    assert await page.locator("script[src*='/js.stripe.com/v3/']").count() == 1

    # when they type an incomplete number and save
    await card.get_by_placeholder("number").fill("4242 4242")
    await methods.get_by_role("button", name="Save").click()
    # then Stripe.js's message is shown at the field, and nothing is asked of them yet
    incomplete = re.compile(r"Stripe\. Your card number is incomplete\.$")
    await expect(card).to_have_accessible_description(incomplete)
    await expect(page.get_by_role("dialog")).to_have_count(0)

    # when they type the whole card and save
    await card.get_by_placeholder("number").fill("4242424242424242")
    await card.get_by_placeholder("exp_month").fill("12")
    await card.get_by_placeholder("exp_year").fill("34")
    await card.get_by_placeholder("cvc").fill("123")
    await card.get_by_placeholder("postal_code").fill("10001")
    await methods.get_by_role("button", name="Save").click()
    # then they confirm it's them, and the card Stripe made is added and listed
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await dialog.get_by_role("button", name="Send code").click()
    await expect(dialog.get_by_role("status")).to_contain_text("We sent a code")
    (message,) = await stripe_portal.mail_to(billed.member.email, STEP_UP_SUBJECT)
    await dialog.get_by_label("Code").fill(code_in(body_of(message)))
    await dialog.get_by_role("button", name="Confirm").click()
    await expect_in_words(methods.get_by_role("status"), "Visa ending 4242 was added.")
    added = methods.get_by_role("listitem").filter(has_text="Visa ending 4242")
    await expect(added).to_contain_text("expires 12/2034")
    await expect(added).to_contain_text("Default")
    assert [url for url in requests if url.startswith(f"{localstripe}/v1/payment_methods")] != []
    assert await serious_violations(page) == []


async def test_with_the_sandbox_no_request_goes_to_stripe_js(portal: Server, page: Page) -> None:
    # given a member of the sandbox's gateway (development), signed in, and every request the page sends
    billed = await billed_member(portal, "Sandy")
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    await signed_in_at(page, portal, billed.member.username, billed.member.password)
    # when they open the add form on Billing
    await open_billing(page)
    methods = page.get_by_role("region", name="Payment methods")
    await methods.get_by_role("button", name="Add payment method").click()
    # then it offers the sandbox's test methods, and nothing was asked of another origin: no Stripe.js
    await expect(methods.get_by_role("group", name="Payment method to add")).to_be_visible()
    assert [request.url for request in requests if not request.url.startswith(portal.url)] == []
    assert await page.locator("script[src*='stripe']").count() == 0
    assert await page.evaluate("() => typeof window.Stripe") == "undefined"


async def test_a_payment_waiting_for_3d_secure_shows_complete_payment(
    stripe_portal: Server, localstripe: str, page: Page
) -> None:
    # given a member who paid their $65.00 statement with a card whose bank asks for 3-D Secure
    billed = await billed_member(stripe_portal, "Theo")
    await add_methods(stripe_portal, billed, await new_payment_method(localstripe, THREE_D_SECURE))
    async with httpx.AsyncClient() as client:
        saved = await stripe_portal.graphql(client, METHOD_IDS, token=billed.token)
        (method,) = saved["data"]["account"]["paymentMethods"]
        paid = await stripe_portal.graphql(
            client, PAY_BILL, pay(method["id"], secrets.token_hex(8)), token=billed.token
        )
    payment = paid["data"]["payBill"]["payment"]
    assert (payment["status"], paid["data"]["payBill"]["errors"]) == ("PENDING", [])
    # when they open Billing
    await signed_in_at(page, stripe_portal, billed.member.username, billed.member.password)
    await open_billing(page)
    # then the payment is shown first, with the e-mail's sentence and a link to the bank's check
    waiting = page.get_by_role("region", name="A payment needs you")
    sentence = "Your bank asks you to confirm your payment of $65.00 by Visa ending 3184. Nothing is charged"
    await expect(waiting).to_contain_text(sentence)
    link = waiting.get_by_role("link", name="Complete payment")
    await expect(link).to_have_attribute("href", payment["nextAction"])
    await expect(link).to_have_accessible_description(f"{sentence} until you do.")
    history = page.get_by_role("region", name="Payment history")
    await expect(history).to_contain_text("Pending (waiting for you to confirm it)")
    # and the e-mail they were sent says the same, with the same link
    (mail,) = await stripe_portal.mail_to(billed.member.email, "Confirm your payment")
    body = " ".join(body_of(mail).split())
    assert sentence in body
    assert payment["nextAction"] in body
    assert '"Complete payment"' in body
    assert await serious_violations(page) == []
