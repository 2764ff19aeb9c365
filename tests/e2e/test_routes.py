"""Every route of PORTAL.md opens on its heading with no console error, no failed request and no serious or
critical axe-core violation: signed out, and as the demo account's primary member."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import serious_violations
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

SIGNED_OUT = (
    "/sign-in",
    "/activate",
    "/activate?token=not-a-token",
    "/forgot-password",
    "/reset-password?token=not-a-token",
    "/reset-password",
    "/unlock?token=not-a-token",
    "/secure-account?token=not-a-token",
    "/no/such/page",
)
SIGNED_IN = ("/", "/billing", "/members", "/services", "/settings", "/security", "/api-keys", "/no/such/page")


async def opened(page: Page, route: str) -> list[str]:
    """Opens `route` as a person would (a fresh load), once it settles: axe's findings on it."""
    await page.goto(route)
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await page.wait_for_load_state("networkidle")
    await expect(page.get_by_text("Loading…")).to_have_count(0)
    return await serious_violations(page)


async def test_every_route_signed_out_is_clean(page: Page) -> None:
    # when
    findings = [finding for route in SIGNED_OUT for finding in await opened(page, route)]
    # then
    assert findings == []


async def test_every_route_of_the_primary_member_is_clean(page: Page, demo: dict[str, str]) -> None:
    # given
    await page.goto("/sign-in")
    await sign_in(page, demo["username"], demo["password"])
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    # when
    findings = [finding for route in SIGNED_IN for finding in await opened(page, route)]
    # then
    assert findings == []
