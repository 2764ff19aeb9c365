"""Activation from the welcome e-mail in Chromium: the operator creates the account, the member opens the
e-mailed link, is refused a weak password and a taken username at their fields, then lands signed in."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server
from tests.e2e.support import (
    PASSWORD,
    SECURITY_ANSWER,
    SECURITY_QUESTION,
    create_account,
    expect_refused,
    serious_violations,
    someone,
)

pytestmark = pytest.mark.e2e

WEAK_PASSWORD = "password1234"
# What the gateway says of WEAK_PASSWORD (zxcvbn's warning and its advice), shown at the password field.
TOO_COMMON = re.compile(r"very common password\. Add more words or characters that are hard to guess")


async def test_a_new_member_activates_from_the_welcome_e_mail(
    portal: Server, page: Page, demo: dict[str, str]
) -> None:
    # given: an account the operator created; its welcome e-mail's link
    name, email, username = someone("Ada")
    link = await create_account(portal, name, email)
    # when: the member opens it
    await page.goto(link)
    # then: the form, greeting the member by name, with the password rules shown before anything is typed
    await expect(page.get_by_role("heading", name="Create your account", level=1)).to_be_visible()
    await expect(
        page.get_by_text(re.compile(rf"^Welcome, .+: this creates your sign-in for {name}\.$"))
    ).to_be_visible()
    password = page.get_by_label("Password")
    await expect(password).to_have_accessible_description(re.compile("12 to 128 characters"))
    assert await serious_violations(page) == []

    # when: a weak password
    await page.get_by_label("Username").fill(username)
    await password.fill(WEAK_PASSWORD)
    await page.get_by_label("Security question").fill(SECURITY_QUESTION)
    await page.get_by_label("Answer").fill(SECURITY_ANSWER)
    await page.get_by_role("button", name="Create account").click()
    # then: refused at its field, why said there; the other fields are fine
    await expect_refused(password, TOO_COMMON)
    await expect(page.get_by_label("Username")).not_to_have_attribute("aria-invalid", "true")
    assert await serious_violations(page) == []

    # when: a strong password but a username someone has (the demo's)
    await password.fill(PASSWORD)
    await page.get_by_label("Username").fill(demo["username"])
    await page.get_by_role("button", name="Create account").click()
    # then: refused at the username, and the link still works; the password is fine now
    await expect_refused(page.get_by_label("Username"), "This username is taken. Please choose another.")
    await expect(password).not_to_have_attribute("aria-invalid", "true")

    # when: a free username
    await page.get_by_label("Username").fill(username)
    await page.get_by_role("button", name="Create account").click()
    # then: signed in, on the account overview
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/$"))
    await page.reload()
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def test_a_used_activation_link_says_so_as_it_opens(portal: Server, page: Page) -> None:
    # given: a welcome link used once
    name, email, username = someone("Grace")
    link = await create_account(portal, name, email)
    await page.goto(link)
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Security question").fill(SECURITY_QUESTION)
    await page.get_by_label("Answer").fill(SECURITY_ANSWER)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # when: it is opened again
    await page.goto(link)
    # then: said at once, with no form to fill in for nothing, and the way on
    await expect(page.get_by_role("alert")).to_have_text("This link has expired or was already used.")
    await expect(page.get_by_label("Username")).to_have_count(0)
    await expect(page.get_by_role("button", name="Create account")).to_have_count(0)
    assert await serious_violations(page) == []
    # when: they follow "sign in"
    await page.get_by_role("link", name="sign in", exact=True).click()
    # then: the sign-in form, where their username and password work
    await expect(page).to_have_url(re.compile(r"/sign-in$"))
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
