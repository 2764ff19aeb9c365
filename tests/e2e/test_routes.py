"""Every route of PORTAL.md opens on its own heading (and the document's title names it) with no console
error, no failed request and no serious or critical axe-core violation: signed out, and as the demo
account's primary member."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import serious_violations
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

# route -> the exact text of its h1
SIGNED_OUT = {
    "/": "Sign in to your account",
    "/sign-in": "Sign in to your account",
    "/activate": "Create your account",
    "/activate?token=not-a-token": "Create your account",
    "/forgot-password": "Forgot your password?",
    "/reset-password?token=not-a-token": "Choose a new password",
    "/reset-password": "Choose a new password",
    "/unlock?token=not-a-token": "Unlock your account",
    "/secure-account?token=not-a-token": "Secure your account",
    "/billing": "Sign in to your account",  # a member's page sends to the sign-in form
    "/no/such/page": "Page not found",
}
SIGNED_IN = {
    "/": "Account overview",
    "/billing": "Billing",
    "/members": "Manage users",
    "/services": "Services",
    "/settings": "Settings",
    "/security": "Security",
    "/api-keys": "API keys",
    "/no/such/page": "Page not found",
}


async def opened(page: Page, route: str, heading: str) -> list[str]:
    """Opens `route` as a person would (a fresh load): its h1 is `heading`, and the document's title says
    it. Once the page settles: axe's findings on it."""
    await page.goto(route)
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    await expect(page).to_have_title(f"{heading} · Account portal")
    await page.wait_for_load_state("networkidle")
    await expect(page.get_by_text("Loading…")).to_have_count(0)
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    return await serious_violations(page)


async def test_every_route_signed_out_opens_on_its_heading_and_is_clean(page: Page) -> None:
    # when
    findings = [
        finding for route, heading in SIGNED_OUT.items() for finding in await opened(page, route, heading)
    ]
    # then
    assert findings == []


async def test_every_route_of_the_primary_member_opens_on_its_heading_and_is_clean(
    page: Page, demo: dict[str, str]
) -> None:
    # given
    await page.goto("/sign-in")
    await sign_in(page, demo["username"], demo["password"])
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    # when
    findings = [
        finding for route, heading in SIGNED_IN.items() for finding in await opened(page, route, heading)
    ]
    # then
    assert findings == []
