"""Settings in Chromium: the display name, a new e-mail address confirmed by the code sent to it, the
password, the notification preferences; and the portal on a phone's narrow screen, and by keyboard alone."""

from __future__ import annotations

import pytest
from playwright.async_api import Locator, Page, expect

from tests.blackbox import Server, body_of
from tests.e2e.support import NewPage, activated_member, code_in, expect_refused, serious_violations, someone
from tests.e2e.test_activation import TOO_COMMON
from tests.e2e.test_security import confirm_it_s_you, signed_in, wrong
from tests.e2e.test_sign_in import NAVIGATION, sign_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "copper meadow falcon 7731 ridge"
PHONE_WIDTH = 375


async def open_settings(page: Page) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    await expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()


async def test_a_member_renames_themselves_confirms_a_new_e_mail_address_and_chooses_their_messages(
    portal: Server, page: Page
) -> None:
    # given: a member signed in, on Settings
    member = await activated_member(portal, "Priya")
    await signed_in(page, member.username, member.password)
    await open_settings(page)
    details = page.get_by_role("region", name="Your details")
    display_name = details.get_by_label("Display name")

    # when: the display name is emptied
    await display_name.fill("  ")
    await details.get_by_role("button", name="Save").click()
    # then: refused at its field
    await expect_refused(display_name, "Enter the name we should use for you.")
    # when: a new one
    await display_name.fill("Priya Q. Tester")
    await details.get_by_role("button", name="Save").click()
    # then: saved, said in words, greeting them in the header; and still so after a reload
    await expect(details.get_by_role("status")).to_have_text("Your details are saved.")
    await expect(page.get_by_role("banner")).to_contain_text("Priya Q. Tester")
    await page.reload()
    await expect(display_name).to_have_value("Priya Q. Tester")
    await expect(page.get_by_role("banner")).to_contain_text("Priya Q. Tester")

    # when: they change their e-mail address (a sensitive change: they confirm it's them first)
    _, new_email, _ = someone("Priya")
    await details.get_by_label("E-mail", exact=True).fill(new_email)
    await details.get_by_role("button", name="Save").click()
    await confirm_it_s_you(page, portal, member.email)
    # then: a code goes to the new address, the old one is told; the address is not changed yet
    await expect(details.get_by_role("status")).to_contain_text(f"We sent a code to {new_email}")
    (code_mail,) = await portal.mail_to(new_email, "Your code to confirm your new e-mail address")
    assert len(await portal.mail_to(member.email, "A change of your e-mail address was requested")) == 1
    code = details.get_by_label("Confirmation code")
    await expect(code).to_have_accessible_description(f"We sent it to {new_email}.")
    # when: a wrong code
    await code.fill(wrong(code_in(body_of(code_mail))))
    await details.get_by_role("button", name="Confirm change").click()
    # then: refused at the code
    await expect_refused(code, "That code is not right, or it has expired.")
    # when: the code from the e-mail
    await code.fill(code_in(body_of(code_mail)))
    await details.get_by_role("button", name="Confirm change").click()
    # then: confirmed, and the new address is the member's, also after a reload
    await expect(details.get_by_role("status")).to_have_text("Your new contact details are confirmed.")
    await expect(code).to_have_count(0)
    await page.reload()
    await expect(details.get_by_label("E-mail", exact=True)).to_have_value(new_email)

    # when: they stop billing e-mails (each box saves as it is ticked)
    notifications = page.get_by_role("region", name="Notifications")
    billing_by_email = notifications.get_by_role("checkbox", name="Billing by e-mail")
    await expect(billing_by_email).to_be_checked()
    await billing_by_email.uncheck()
    # then: saved, said in words, and still so after a reload; the other choices are as they were
    await expect(notifications.get_by_role("status")).to_have_text(
        "Saved: you will no longer get billing messages by e-mail."
    )
    await page.reload()
    await expect(billing_by_email).not_to_be_checked()
    await expect(notifications.get_by_role("checkbox", name="Outages by e-mail")).to_be_checked()
    # and: security alerts by e-mail cannot be turned off; texts need a phone number first
    await expect(notifications.get_by_role("checkbox", name="Security by e-mail")).to_be_disabled()
    await expect(notifications.get_by_role("checkbox", name="Security by e-mail")).to_be_checked()
    await expect(notifications.get_by_role("checkbox", name="Billing by text message")).to_be_disabled()
    assert await serious_violations(page) == []


async def test_a_member_changes_the_password_and_signs_in_with_the_new_one_elsewhere(
    portal: Server, new_page: NewPage
) -> None:
    # given: a member signed in, on Settings
    member = await activated_member(portal, "Rafael")
    page = await new_page()
    await signed_in(page, member.username, member.password)
    await open_settings(page)
    form = page.get_by_role("region", name="Password")
    current, new = form.get_by_label("Current password"), form.get_by_label("New password")

    # when: a wrong current password
    await current.fill("not my password at all")
    await new.fill(NEW_PASSWORD)
    await form.get_by_role("button", name="Change password").click()
    # then: refused at the current password
    await expect_refused(current, "That is not your current password.")
    await expect(new).not_to_have_attribute("aria-invalid", "true")
    # when: the right current password, but a weak new one
    await current.fill(member.password)
    await new.fill("password1234")
    await form.get_by_role("button", name="Change password").click()
    # then: refused at the new password, saying why
    await expect_refused(new, TOO_COMMON)
    await expect(current).not_to_have_attribute("aria-invalid", "true")
    # when: a strong one
    await new.fill(NEW_PASSWORD)
    await form.get_by_role("button", name="Change password").click()
    # then: changed, said in words; the member is told by e-mail; this device stays signed in
    await expect(form.get_by_role("status")).to_contain_text("Your password is changed")
    await expect(current).to_have_value("")
    await expect(new).to_have_value("")
    assert len(await portal.mail_to(member.email, "Your password was changed")) == 1
    await page.reload()
    await expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()

    # when: they sign in on another device with the old password, then the new one
    elsewhere = await new_page()
    await elsewhere.goto("/sign-in")
    await sign_in(elsewhere, member.username, member.password)
    # then: the old one is refused, the new one signs in
    await expect(elsewhere.get_by_role("alert")).to_contain_text("not right")
    await sign_in(elsewhere, member.username, NEW_PASSWORD)
    await expect(elsewhere.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def scroll_width(page: Page) -> int:
    width: int = await page.evaluate("() => document.scrollingElement.scrollWidth")
    return width


async def test_on_a_phone_s_narrow_screen_nothing_scrolls_sideways_and_the_navigation_is_there(
    page: Page, demo: dict[str, str]
) -> None:
    # given: a phone's screen, and the demo household's year of bills, services and activity
    await page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    # when: the member signs in
    await signed_in(page, demo["username"], demo["password"])
    await page.wait_for_load_state("networkidle")
    # then: the overview fits the width; every link of the navigation is on the screen
    assert await scroll_width(page) <= PHONE_WIDTH
    navigation = page.get_by_role("navigation", name="Main")
    for name in NAVIGATION:
        link = navigation.get_by_role("link", name=name, exact=True)
        await expect(link).to_be_in_viewport()
        box = await link.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE_WIDTH, name
    # when: they open the pages with forms, through the navigation
    for name in ("Settings", "Services", "Security"):
        await navigation.get_by_role("link", name=name, exact=True).click()
        await expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        await page.wait_for_load_state("networkidle")
        await expect(page.get_by_text("Loading…")).to_have_count(0)
        # then: each fits the width too
        assert await scroll_width(page) <= PHONE_WIDTH, name


async def tab_to(page: Page, target: Locator, presses: int = 25) -> None:
    """Presses Tab until `target` has the focus, as someone without a mouse does."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"{target} got no focus after {presses} presses of Tab")


async def test_a_member_signs_in_and_reaches_settings_by_keyboard_alone(
    page: Page, demo: dict[str, str]
) -> None:
    # given: the sign-in form
    await page.goto("/sign-in")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # when: the member tabs to the fields, types, and presses Enter
    await tab_to(page, page.get_by_label("Username"))
    await page.keyboard.type(demo["username"])
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type(demo["password"])
    await page.keyboard.press("Enter")
    # then: signed in
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    # when: they tab to Settings in the navigation and press Enter
    settings_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings")
    await tab_to(page, settings_link)
    await page.keyboard.press("Enter")
    # then: Settings, the link marked as the current page; Tab goes on to its fields, showing where it is
    await expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    await expect(settings_link).to_have_attribute("aria-current", "page")
    display_name = page.get_by_label("Display name")
    await tab_to(page, display_name)
    outline = await display_name.evaluate("(element) => getComputedStyle(element).outlineStyle")
    assert outline != "none"
