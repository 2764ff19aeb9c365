"""Getting back in, in Chromium, from the links the e-mails carry: the lockout's unlock link (then the sign-in
challenge a risky sign-in meets), "this wasn't me" from the new-sign-in alert, and forgot password."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server, body_of
from tests.e2e.support import (
    SECURITY_ANSWER,
    SECURITY_QUESTION,
    NewPage,
    activated_member,
    code_in,
    expect_refused,
    graphql_answer,
    link_in,
    serious_violations,
)
from tests.e2e.test_activation import TOO_COMMON
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

LOCKOUT_THRESHOLD = 5  # the default LOCKOUT_THRESHOLD the started gateway runs with
NEW_PASSWORD = "amber comet willow 5150 drift"
WRONG_CODE = "That code is not right, or it has expired."


async def test_a_locked_out_member_unlocks_from_the_e_mail_and_passes_the_sign_in_challenge(
    portal: Server, page: Page
) -> None:
    # given: a member, and wrong passwords up to the threshold from this browser, each try waiting for its
    # own answer: refused as not right, until the last, which locks
    member = await activated_member(portal, "Linus")
    await page.goto("/sign-in")
    refusal = page.get_by_role("alert")
    for attempt in range(1, LOCKOUT_THRESHOLD + 1):
        async with page.expect_response(graphql_answer("SignIn")) as answered:
            await sign_in(page, member.username, "wrong password, sorry")
        answer = await (await answered.value).json()
        codes = [error["code"] for error in answer["data"]["signIn"]["errors"]]
        if attempt < LOCKOUT_THRESHOLD:
            assert codes == ["INVALID_CREDENTIALS"], (attempt, answer)
            await expect(refusal).to_have_text("The username or password is not right.")
        else:
            assert codes == ["ACCOUNT_LOCKED"], (attempt, answer)
    # then: locked, with the time it ends and where the unlock link went
    await expect(refusal).to_contain_text(re.compile(r"locked until .*\d", re.IGNORECASE))
    await expect(refusal).to_contain_text(re.compile("e-mail", re.IGNORECASE))
    assert await serious_violations(page) == []
    (lockout,) = await portal.mail_to(member.email, "Sign-in to your account is locked")

    # when: the member opens the e-mailed link and unlocks
    await page.goto(link_in(body_of(lockout), "unlock"))
    await expect(page.get_by_role("heading", name="Unlock your account", level=1)).to_be_visible()
    await page.get_by_role("button", name="Unlock account").click()
    # then
    await expect(page.get_by_role("status")).to_contain_text("unlocked")

    # when: the member signs in after those failures, from a device the gateway does not know
    await page.get_by_role("link", name="Sign in").click()
    await sign_in(page, member.username, member.password)
    # then: a challenge: a code sent by e-mail; a wrong code is refused at its field, the right one lets in
    code = page.get_by_label("Code")
    await expect(code).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("code")
    (message,) = await portal.mail_to(member.email, "Your code to")
    sent = code_in(body_of(message))
    await code.fill("000000" if sent != "000000" else "111111")
    await page.get_by_role("button", name="Verify").click()
    await expect_refused(code, WRONG_CODE)
    await code.fill(sent)
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def test_this_wasn_t_me_signs_out_every_device_and_blocks_signing_in(
    portal: Server, new_page: NewPage
) -> None:
    # given: the member's session in one browser, and the new-sign-in alert that it sent
    member = await activated_member(portal, "Margaret")
    stranger = await new_page()
    await stranger.goto("/sign-in")
    await sign_in(stranger, member.username, member.password)
    await expect(stranger.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    (alert,) = await portal.mail_to(member.email, "New sign-in to your account")
    # when: the member opens its "this wasn't me" link on their own device
    own = await new_page()
    await own.goto(link_in(body_of(alert), "secure-account"))
    # then: it asks before acting
    await expect(own.get_by_role("heading", name="Secure your account", level=1)).to_be_visible()
    assert await serious_violations(own) == []
    # when: they confirm
    await own.get_by_role("button", name="Secure my account").click()
    # then: done, said in words; the other browser's session has ended; signing in is refused
    await expect(own.get_by_role("status")).to_contain_text("signed out")
    await stranger.reload()
    await expect(stranger.get_by_role("button", name="Sign in")).to_be_visible()
    await sign_in(stranger, member.username, member.password)
    refusal = stranger.get_by_role("alert")
    await expect(refusal).to_contain_text("You can't sign in with this username now.")
    await expect(refusal.get_by_role("link", name="reset your password")).to_be_visible()
    await expect(refusal).not_to_contain_text("ACCOUNT_DISABLED")
    await expect(stranger.get_by_role("heading", name="Account overview")).to_have_count(0)


async def test_a_member_who_forgot_the_password_resets_it_from_the_e_mailed_link(
    portal: Server, page: Page
) -> None:
    # given: a member who forgot the password
    member = await activated_member(portal, "Barbara")
    await page.goto("/sign-in")
    await page.get_by_role("link", name="Forgot password?").click()
    # when: they ask for a link by e-mail
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Forgot")
    await page.get_by_label("Username or e-mail").fill(member.email)
    await page.get_by_role("radio", name="E-mail").check()
    await page.get_by_role("button", name="Send").click()
    # then: the same words whoever asks, and the e-mail
    await expect(page.get_by_role("status")).to_contain_text("If we have a sign-in")
    assert await serious_violations(page) == []
    (reset,) = await portal.mail_to(member.email, "Reset your password")

    # when: they open the link and give a wrong security answer
    await page.goto(link_in(body_of(reset), "reset-password"))
    answer, new_password = page.get_by_label("Answer"), page.get_by_label("New password")
    # then: the member's own question and the password rules, before anything is typed
    await expect(answer).to_have_accessible_description(re.compile(re.escape(SECURITY_QUESTION)))
    await expect(new_password).to_have_accessible_description(re.compile("12 to 128 characters"))
    await answer.fill("not my answer")
    await new_password.fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Reset password").click()
    # then: refused at the answer, and the link still works
    await expect_refused(answer, "That answer is not the one you gave when you set up your account.")
    # when: the right answer but a weak password
    await answer.fill(SECURITY_ANSWER)
    await new_password.fill("password1234")
    await page.get_by_role("button", name="Reset password").click()
    # then: refused at the new password, saying why; the answer is fine now
    await expect_refused(new_password, TOO_COMMON)
    await expect(answer).not_to_have_attribute("aria-invalid", "true")
    # when: both right
    await new_password.fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Reset password").click()
    # then: changed; the old password no longer signs in, the new one does
    await expect(page.get_by_role("status")).to_contain_text("password has been changed")
    await page.get_by_role("link", name="Sign in").click()
    await sign_in(page, member.username, member.password)
    await expect(page.get_by_role("alert")).to_contain_text("not right")
    await sign_in(page, member.username, NEW_PASSWORD)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def test_a_member_resets_the_password_with_a_texted_code(portal: Server, page: Page) -> None:
    # given: a member with a confirmed phone, who asks for a code by text message
    phone = f"+1312555{secrets.randbelow(10_000):04d}"
    member = await activated_member(portal, "Tomas", "--phone", phone)
    await page.goto("/forgot-password")
    await page.get_by_label("Username or e-mail").fill(member.username)
    await page.get_by_role("radio", name="Text message").check()
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("status")).to_contain_text("If we have a sign-in")
    (text,) = await portal.texts_to(phone)
    code = code_in(text)
    # when: the reset page, with a wrong code first
    await page.goto("/reset-password")
    login, code_field = page.get_by_label("Username or e-mail"), page.get_by_label("Code", exact=True)
    await login.fill(member.username)
    await code_field.fill("000000" if code != "000000" else "111111")
    await page.get_by_label("Answer").fill(SECURITY_ANSWER)
    await page.get_by_label("New password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Reset password").click()
    # then: refused at the code
    await expect_refused(code_field, WRONG_CODE)
    # when: the texted code
    await code_field.fill(code)
    await page.get_by_role("button", name="Reset password").click()
    # then: changed, and the new password signs in
    await expect(page.get_by_role("status")).to_contain_text("password has been changed")
    await page.get_by_role("link", name="Sign in").click()
    await sign_in(page, member.username, NEW_PASSWORD)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
