"""Security in Chromium: two-factor sign-in with an authenticator app (set up, asked for on a new device,
turned off), the activity log, and the sessions: signing out another device, and every device."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server, body_of
from tests.e2e.support import NewPage, activated_member, code_in, expect_refused, serious_violations
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

STEP_UP_SUBJECT = "Your code to confirm it is you"


async def signed_in(page: Page, username: str, password: str) -> None:
    """Signs in on the sign-in form; the member lands on the account overview."""
    await page.goto("/sign-in")
    await sign_in(page, username, password)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def confirm_it_s_you(page: Page, portal: Server, email: str) -> None:
    """Answers the "Confirm it's you" dialog the last action opened, with the code e-mailed for it."""
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog).to_be_visible()
    sent_before = len(await portal.mail_to(email, STEP_UP_SUBJECT, count=0))
    await dialog.get_by_role("button", name="Send code").click()
    await expect(dialog.get_by_role("status")).to_contain_text("We sent a code")
    messages = await portal.mail_to(email, STEP_UP_SUBJECT, count=sent_before + 1)
    assert len(messages) == sent_before + 1
    await dialog.get_by_label("Code").fill(code_in(body_of(messages[-1])))
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(dialog).to_have_count(0)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_two_factor_is_set_up_asked_for_on_a_new_device_and_turned_off(
    portal: Server, new_page: NewPage
) -> None:
    # given: a member signed in on their computer, on Security
    member = await activated_member(portal, "Oskar")
    computer = await new_page()
    await signed_in(computer, member.username, member.password)
    await computer.get_by_role("navigation", name="Main").get_by_role("link", name="Security").click()
    await expect(computer.get_by_role("heading", name="Security", level=1)).to_be_visible()

    # when: they set up two-factor (a sensitive change: they confirm it's them with an e-mailed code)
    await computer.get_by_role("button", name="Set up two-factor").click()
    await confirm_it_s_you(computer, portal, member.email)
    # then: a QR code to scan, with a name, and the key to type instead
    await expect(computer.get_by_role("img", name=re.compile("QR code", re.IGNORECASE))).to_be_visible()
    key = computer.get_by_label("Setup key")
    await expect(key).to_have_value(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$"))
    authenticator = pyotp.TOTP((await key.input_value()).replace(" ", ""))
    assert await serious_violations(computer) == []

    # when: a code the app does not show
    code = computer.get_by_label("Code", exact=True)
    await code.fill(wrong(authenticator.now()))
    await computer.get_by_role("button", name="Turn on two-factor").click()
    # then: refused at the code; still off (not on, and nobody told it is)
    await expect_refused(code, "That code is not right. Check the time on your phone")
    await expect(computer.get_by_role("button", name="Turn off two-factor")).to_have_count(0)
    assert await portal.mail_to(member.email, "Two-factor sign-in is on", count=0) == []
    # when: the code the app shows now
    await code.fill(authenticator.now())
    await computer.get_by_role("button", name="Turn on two-factor").click()
    # then: on, said in words; the member is told by e-mail; the log has it
    await expect(computer.get_by_role("status")).to_contain_text("Two-factor sign-in is on")
    await expect(computer.get_by_role("button", name="Turn off two-factor")).to_be_visible()
    assert len(await portal.mail_to(member.email, "Two-factor sign-in is on")) == 1
    activity = computer.get_by_role("region", name="Activity")
    await expect(activity).to_contain_text("turned on two-factor sign-in")

    # when: they sign out, and sign in on a phone the gateway has never seen
    await computer.get_by_role("banner").get_by_role("button", name="Sign out").click()
    await expect(computer.get_by_role("button", name="Sign in")).to_be_visible()
    phone = await new_page()
    await phone.goto("/sign-in")
    await sign_in(phone, member.username, member.password)
    # then: the password is not enough: the code from the app is asked for
    challenge = phone.get_by_label("Code")
    await expect(challenge).to_be_visible()
    await expect(phone.get_by_text("Open your authenticator app")).to_be_visible()
    await expect(phone.get_by_role("heading", name="Account overview")).to_have_count(0)
    # when: a wrong code, then the app's next code (the one on screen was used to turn it on)
    await challenge.fill(wrong(authenticator.at(time.time() + authenticator.interval)))
    await phone.get_by_role("button", name="Verify").click()
    await expect_refused(
        challenge, "That code is not right. Enter the code your authenticator app shows now."
    )
    await challenge.fill(authenticator.at(time.time() + authenticator.interval))
    await phone.get_by_role("button", name="Verify").click()
    # then: signed in, on the overview
    await expect(phone.get_by_role("heading", name="Account overview", level=1)).to_be_visible()

    # when: on the phone's Security page
    await phone.goto("/security")
    # then: the log shows the sign-ins and two-factor turned on
    activity = phone.get_by_role("region", name="Activity")
    await expect(activity).to_contain_text("turned on two-factor sign-in")
    rows = activity.get_by_role("row")
    await expect(rows.filter(has_text="signed in (password)")).to_have_count(1)
    await expect(rows.filter(has_text="signed in (password and code)")).to_have_count(1)
    assert await serious_violations(phone) == []

    # when: they turn two-factor off (confirming it's them again: this session is new)
    await phone.get_by_role("button", name="Turn off two-factor").click()
    await confirm_it_s_you(phone, portal, member.email)
    # then: off, said in words, told by e-mail, logged
    await expect(phone.get_by_role("status")).to_contain_text("Two-factor sign-in is off")
    await expect(phone.get_by_role("button", name="Set up two-factor")).to_be_visible()
    assert len(await portal.mail_to(member.email, "Two-factor sign-in is off")) == 1
    await expect(activity).to_contain_text("turned off two-factor sign-in")


async def address_of_this_device(page: Page) -> str:
    """The address the Security page shows for the session of the page's own browser."""
    await page.goto("/security")
    sessions = page.get_by_role("region", name="Where you are signed in")
    this_device = sessions.get_by_role("listitem").filter(has_text="This device")
    found = re.search(r"From (\S+)\.", await this_device.inner_text())
    assert found is not None
    return found.group(1)


async def test_a_member_signs_out_another_device_then_every_device(portal: Server, new_page: NewPage) -> None:
    # given: a member signed in on a computer and on a tablet
    member = await activated_member(portal, "Ingrid")
    computer, tablet = await new_page(), await new_page()
    await signed_in(computer, member.username, member.password)
    await signed_in(tablet, member.username, member.password)
    tablet_address = await address_of_this_device(tablet)

    # when: on the computer, they sign the tablet out
    await computer.goto("/security")
    sessions = computer.get_by_role("region", name="Where you are signed in")
    tablet_session = sessions.get_by_role("listitem").filter(has_text=f"From {tablet_address}.")
    await expect(tablet_session).to_have_count(1)
    await expect(sessions.get_by_role("listitem").filter(has_text="This device")).to_have_count(1)
    await tablet_session.get_by_role("button", name="Sign out", exact=True).click()
    # then: said in words, gone from the list; the computer stays signed in
    await expect(sessions.get_by_role("status")).to_contain_text("is signed out")
    await expect(tablet_session).to_have_count(0)
    await computer.reload()
    await expect(computer.get_by_role("heading", name="Security", level=1)).to_be_visible()
    # and: the tablet is signed out at its next step, and back on the sign-in form
    await tablet.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    await expect(tablet.get_by_role("button", name="Sign in")).to_be_visible()
    await expect(tablet).to_have_url(re.compile(r"/sign-in"))
    await tablet.reload()
    await expect(tablet.get_by_role("button", name="Sign in")).to_be_visible()

    # given: the tablet signed in again
    await signed_in(tablet, member.username, member.password)
    # when: on the computer, they sign out everywhere
    await computer.get_by_role("button", name="Sign out everywhere").click()
    # then: the computer is on the sign-in form, saying so; the tablet is signed out at its next load
    await expect(computer.get_by_role("status")).to_contain_text("signed out on every device")
    await computer.reload()
    await expect(computer.get_by_role("button", name="Sign in")).to_be_visible()
    await tablet.reload()
    await expect(tablet.get_by_role("button", name="Sign in")).to_be_visible()
    await expect(tablet.get_by_role("navigation", name="Main")).to_have_count(0)
