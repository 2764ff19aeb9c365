"""Signing in to the portal in Chromium: a wrong password, the right one, a reload, signing out."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import serious_violations

pytestmark = pytest.mark.e2e

NAVIGATION = ("Account overview", "Billing", "Manage users", "Services", "Settings", "Security")


async def sign_in(page: Page, username: str, password: str) -> None:
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def test_the_demo_member_signs_in_after_a_wrong_password_stays_signed_in_and_signs_out(
    page: Page, demo: dict[str, str]
) -> None:
    # given: the portal, signed out
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("sign in", re.IGNORECASE))
    # when: a wrong password
    await sign_in(page, demo["username"], "not the password at all")
    # then: refused in words, at once, with nothing said about whether the username exists
    refusal = page.get_by_role("alert")
    await expect(refusal).to_have_text(re.compile("username or password is not right", re.IGNORECASE))
    await expect(refusal).not_to_contain_text("INVALID_CREDENTIALS")
    assert await serious_violations(page) == []
    # when: the right one
    await sign_in(page, demo["username"], demo["password"])
    # then: the account overview, with the navigation a primary member has
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    for name in NAVIGATION:
        await expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_count(0)

    # when: the member reloads the page, and opens another route directly
    await page.reload()
    # then: still signed in, by the HttpOnly cookie alone: no token in the page's storage
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    await page.goto("/billing")
    await expect(page.get_by_role("heading", name="Billing", level=1)).to_be_visible()
    cookies = await page.context.cookies()
    session_values = [cookie["value"] for cookie in cookies if cookie.get("httpOnly")]
    assert session_values, cookies
    stored = await page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    assert all(value not in stored for value in session_values)

    # when: the member signs out
    await page.get_by_role("button", name="Sign out").click()
    # then: the sign-in form, also after a reload; the overview is no longer there
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    await page.goto("/billing")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()


async def test_an_unknown_route_shows_page_not_found_with_a_link_home(page: Page) -> None:
    # when
    await page.goto("/no/such/page")
    # then
    await expect(page.get_by_role("heading", name="Page not found", level=1)).to_be_visible()
    await page.get_by_role("link", name=re.compile("home", re.IGNORECASE)).click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
