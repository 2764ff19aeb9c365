"""With PAYMENT_PROCESSOR=stripe the portal learns Stripe.js's URL and publishable key (Query.paymentSetup),
and its pages' Content-Security-Policy lets that Stripe.js run, frame its card field and call its API."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gateway.headers import PORTAL_CSP, portal_csp
from gateway.settings import Settings
from tests.billing_support import billing_session
from tests.stripe.support import PUBLISHABLE_KEY
from tests.support import gql

PAYMENT_SETUP = "{ paymentSetup { processor publishableKey stripeJsUrl } }"


def directives(csp: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in csp.split(";"))


@pytest.fixture
def app_settings(stripe_settings: Settings, tmp_path: Path) -> Settings:
    (tmp_path / "index.html").write_text("<!doctype html><title>portal</title>")
    return stripe_settings.with_overrides(portal_dir=tmp_path)


async def test_a_member_and_a_caller_without_session_read_stripe_js_and_its_key(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # given a member who may add payment methods
    _, token = await billing_session(client)
    # when they, and someone signed out, ask how payment methods are added
    signed_in = await gql(client, PAYMENT_SETUP, token=token)
    anonymous = await gql(client, PAYMENT_SETUP)
    # then both are told Stripe, its publishable key and localstripe's Stripe.js
    expected = {
        "processor": "STRIPE",
        "publishableKey": PUBLISHABLE_KEY,
        "stripeJsUrl": f"{localstripe}/js.stripe.com/v3/",
    }
    assert signed_in == {"data": {"paymentSetup": expected}}
    assert anonymous == signed_in


async def test_the_portal_csp_allows_the_configured_stripe_js_and_nothing_inline(
    client: httpx.AsyncClient, localstripe: str
) -> None:
    # when a page of the portal is fetched
    response = await client.get("/billing")
    # then its CSP adds localstripe's origin (a stand-in Stripe.js that calls its own server) for scripts,
    # frames and connections, and is otherwise the sandbox's
    assert response.status_code == 200
    csp = directives(response.headers["content-security-policy"])
    assert csp["script-src"] == f"'self' {localstripe}"
    assert csp["frame-src"] == f"'self' {localstripe}"
    assert csp["connect-src"] == f"'self' https://api.stripe.com {localstripe}"
    unchanged = {
        name: value for name, value in csp.items() if name not in ("script-src", "frame-src", "connect-src")
    }
    assert unchanged == {name: value for name, value in directives(PORTAL_CSP).items() if name in unchanged}
    assert set(csp) - set(directives(PORTAL_CSP)) == {"frame-src"}
    assert "unsafe" not in response.headers["content-security-policy"]
    # and the API's answers keep theirs
    assert (await client.get("/healthz")).headers[
        "content-security-policy"
    ] == "default-src 'none'; frame-ancestors 'none'"


def test_with_stripes_own_stripe_js_the_csp_lists_what_stripe_documents(stripe_settings: Settings) -> None:
    # given Stripe.js from Stripe (STRIPE_JS_URL's default)
    settings = stripe_settings.with_overrides(stripe_js_url="https://js.stripe.com/v3/")
    # when
    csp = directives(portal_csp(settings))
    # then: https://docs.stripe.com/security/guide#content-security-policy
    assert csp["script-src"] == "'self' https://js.stripe.com https://*.js.stripe.com"
    assert csp["frame-src"] == "'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"
    assert csp["connect-src"] == "'self' https://api.stripe.com"


def test_without_stripe_the_csp_is_unchanged(stripe_settings: Settings) -> None:
    # given the sandbox or no processor, with Stripe's settings left over
    for processor in ("sandbox", "none"):
        # when / then
        assert portal_csp(stripe_settings.with_overrides(payment_processor=processor)) == PORTAL_CSP
