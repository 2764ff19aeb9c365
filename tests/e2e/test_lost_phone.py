"""A member who lost the phone that holds their authenticator app, in Chromium: the password reset from the
e-mailed link, with the security answer and one of their recovery codes, also turns two-factor sign-in off."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server, body_of
from tests.e2e.support import (
    SECURITY_ANSWER,
    Member,
    NewPage,
    activated_member,
    expect_refused,
    link_in,
    serious_violations,
)
from tests.e2e.test_recovery import NEW_PASSWORD
from tests.e2e.test_security import confirm_it_s_you, signed_in
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used already."


async def with_two_factor_and_recovery_codes(page: Page, portal: Server, member: Member) -> list[str]:
    """Signs the member in on the page, turns on two-factor with an authenticator app on Security and
    generates recovery codes: the codes they saved."""
    await signed_in(page, member.username, member.password)
    await page.goto("/security")
    await page.get_by_role("button", name="Set up two-factor").click()
    await confirm_it_s_you(page, portal, member.email)
    key = page.get_by_label("Setup key")
    await expect(key).to_have_value(re.compile(r"[A-Z2-7]"))
    authenticator = pyotp.TOTP((await key.input_value()).replace(" ", ""))
    await page.get_by_label("Code", exact=True).fill(authenticator.now())
    await page.get_by_role("button", name="Turn on two-factor").click()
    recovery = page.get_by_role("region", name="Recovery codes")
    await expect(recovery).to_contain_text("Now get your recovery codes")
    await recovery.get_by_role("button", name="Generate recovery codes").click()
    codes = recovery.get_by_role("list", name="Your new recovery codes").get_by_role("listitem")
    await expect(codes).to_have_count(10)
    saved = [code.strip() for code in await codes.all_inner_texts()]
    await recovery.get_by_role("button", name="I have saved my codes").click()
    await expect(recovery).to_contain_text("You have 10 unused recovery codes.")
    return saved


async def test_a_member_who_lost_the_phone_resets_the_password_with_a_recovery_code_and_turns_two_factor_off(
    portal: Server, new_page: NewPage
) -> None:
    # given: a member with two-factor sign-in (an authenticator app) who saved recovery codes
    member = await activated_member(portal, "Hedda")
    codes = await with_two_factor_and_recovery_codes(await new_page(), portal, member)
    # and: the phone is gone, and the password forgotten: on a new device they ask for a reset link
    page = await new_page()
    await page.goto("/forgot-password")
    await page.get_by_label("Username or e-mail").fill(member.email)
    await page.get_by_role("radio", name="E-mail").check()
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("status")).to_contain_text("If we have a sign-in")
    (reset,) = await portal.mail_to(member.email, "Reset your password")

    # when: they open the link, give the answer and a new password, and tick the box to turn two-factor off
    await page.goto(link_in(body_of(reset), "reset-password"))
    await page.get_by_label("Answer").fill(SECURITY_ANSWER)
    await page.get_by_label("New password").fill(NEW_PASSWORD)
    recovery_code = page.get_by_label("Recovery code")
    await expect(recovery_code).to_have_count(0)
    await page.get_by_role("checkbox", name="Also turn off two-factor sign-in").check()
    # then: a recovery code is asked for, saying what it looks like
    await expect(recovery_code).to_have_accessible_description(re.compile("recovery codes you saved"))
    assert await serious_violations(page) == []
    # when: a recovery code that is not one of theirs
    await recovery_code.fill("aaaaa-bbbbb")
    await page.get_by_role("button", name="Reset password").click()
    # then: refused at the recovery code, and nothing changed: no e-mail says two-factor is off, and the
    # old password still signs in on another device, where the authenticator app's code is still asked for
    await expect_refused(recovery_code, WRONG_RECOVERY_CODE)
    await expect(page.get_by_text("password has been changed")).to_have_count(0)
    assert await portal.mail_to(member.email, "Two-factor sign-in is off", count=0) == []
    elsewhere = await new_page()
    await elsewhere.goto("/sign-in")
    await sign_in(elsewhere, member.username, member.password)
    await expect(elsewhere.get_by_text("Open your authenticator app")).to_be_visible()
    await expect(elsewhere.get_by_role("heading", name="Account overview")).to_have_count(0)

    # when: one of the recovery codes they saved
    await recovery_code.fill(codes[0])
    await page.get_by_role("button", name="Reset password").click()
    # then: the password is changed and two-factor is off, said in words; the member is told by e-mail
    done = page.get_by_role("status")
    await expect(done).to_contain_text("password has been changed")
    await expect(done).to_contain_text("Two-factor sign-in is off")
    assert len(await portal.mail_to(member.email, "Two-factor sign-in is off")) == 1

    # when: they sign in on this device, which the gateway has never seen, with the old password, then
    # the new one
    await page.get_by_role("link", name="Sign in").click()
    await sign_in(page, member.username, member.password)
    await expect(page.get_by_role("alert")).to_contain_text("not right")
    await sign_in(page, member.username, NEW_PASSWORD)
    # then: in with the new password alone, no code asked for
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    await expect(page.get_by_text("Open your authenticator app")).to_have_count(0)

    # when: on the Security page
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Security").click()
    # then: two-factor sign-in is off, ready to be set up again, and the log says how it was turned off
    two_factor = page.get_by_role("region", name="Two-factor sign-in")
    await expect(two_factor).to_contain_text("Two-factor sign-in is off.")
    await expect(two_factor.get_by_role("button", name="Set up two-factor")).to_be_visible()
    activity = page.get_by_role("region", name="Activity")
    await expect(activity).to_contain_text("turned off two-factor sign-in with a reset and a recovery code")
    assert await serious_violations(page) == []
