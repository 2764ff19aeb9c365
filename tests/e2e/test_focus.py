"""Focus in Chromium, for keyboard and screen-reader users: a form that opens takes focus at its first field;
"Send code" moves it to the code; closing "Confirm it's you" with Escape hands it back to the button that
opened the dialog; a notification box that is saving gets it back once saved."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server
from tests.e2e.support import serious_violations
from tests.e2e.test_billing import add_methods, billed_member, open_billing, signed_in
from tests.e2e.test_settings import open_settings

pytestmark = pytest.mark.e2e


async def test_pay_bill_and_autopay_forms_take_focus_at_their_first_field(portal: Server, page: Page) -> None:
    # given: a member with a bill and a saved card, on billing
    billed = await billed_member(portal, "Faye")
    await add_methods(portal, billed, "tok_visa")
    await signed_in(page, billed.member)
    await open_billing(page)
    # when: they open the pay form
    pay_bill = page.get_by_role("button", name="Pay bill")
    await pay_bill.click()
    # then: the amount has focus
    await expect(page.get_by_label("Amount", exact=True)).to_be_focused()
    # when: they cancel it
    await page.get_by_role("button", name="Cancel").click()
    # then: focus is back on "Pay bill"
    await expect(pay_bill).to_be_focused()

    # when: they open the autopay form
    autopay = page.get_by_role("region", name="Autopay")
    await autopay.get_by_role("button", name="Set up autopay").click()
    # then: its first field, the payment method, has focus
    await expect(autopay.get_by_label("Payment method", exact=True)).to_be_focused()
    assert await page.evaluate("document.activeElement.tagName") == "SELECT"
    assert await serious_violations(page) == []


async def test_send_code_focuses_the_code_and_escape_returns_to_the_opener(
    portal: Server, page: Page
) -> None:
    # given: a member on billing who adds a card, which asks to confirm it's them
    billed = await billed_member(portal, "Gus")
    await signed_in(page, billed.member)
    await open_billing(page)
    methods = page.get_by_role("region", name="Payment methods")
    await methods.get_by_role("button", name="Add payment method").click()
    await methods.get_by_role("radio", name="Mastercard ending 4444").check()
    save = methods.get_by_role("button", name="Save")
    await save.click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog).to_be_visible()
    # when: they ask for a code
    await dialog.get_by_role("button", name="Send code").click()
    # then: the code field has focus, ready for the code
    await expect(dialog.get_by_role("status")).to_contain_text("We sent a code")
    await expect(dialog.get_by_label("Code")).to_be_focused()
    # when: they change their mind and press Escape
    await page.keyboard.press("Escape")
    # then: the dialog is gone and focus is back on the Save button that opened it
    await expect(dialog).to_have_count(0)
    await expect(save).to_be_enabled()
    await expect(save).to_be_focused()
    assert await serious_violations(page) == []


async def test_a_notification_box_keeps_focus_through_its_save(portal: Server, page: Page) -> None:
    # given: a member on settings, the billing-by-e-mail box focused
    billed = await billed_member(portal, "Hal")
    await signed_in(page, billed.member)
    await open_settings(page)
    notifications = page.get_by_role("region", name="Notifications")
    billing_by_email = notifications.get_by_role("checkbox", name="Billing by e-mail")
    await billing_by_email.focus()
    # when: they untick it with the space bar (the boxes are disabled while it saves)
    await page.keyboard.press("Space")
    # then: saved, and the box has focus again, so the next Tab goes on from it
    await expect(notifications.get_by_role("status")).to_have_text(
        "Saved: you will no longer get billing messages by e-mail."
    )
    await expect(billing_by_email).not_to_be_checked()
    await expect(billing_by_email).to_be_enabled()
    await expect(billing_by_email).to_be_focused()
    assert await page.evaluate("document.activeElement.getAttribute('type')") == "checkbox"
