"""Manage users in Chromium, two people at a time: the primary invites a standard user with one grant
(who then sees only that), re-sends an invitation, changes a member's access, removes a member, unlocks a
locked-out one and hands the primary role on; each sensitive change through "Confirm it's you"."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server, body_of
from tests.e2e.support import (
    ACTIVATE,
    PASSWORD,
    SECURITY_ANSWER,
    SECURITY_QUESTION,
    Member,
    NewPage,
    code_in,
    expect_refused,
    link_in,
    serious_violations,
    someone,
)
from tests.e2e.test_activation import TOO_COMMON, WEAK_PASSWORD
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

LOCKOUT_THRESHOLD = 5  # the default LOCKOUT_THRESHOLD the started gateway runs with
CODE_SUBJECT = "Your code to"  # step-up and sign-in challenge codes alike
YOU = re.compile(r"\(you\)$")  # the row of the member looking at the page
SIGN_IN = """
mutation($input: SignInInput!) { signIn(input: $input) { token lockedUntil errors { code } } }
"""
REQUEST_STEP_UP_CODE = "mutation { requestStepUpCode(channel: EMAIL) { challenge { id } errors { code } } }"
VERIFY_STEP_UP = "mutation($code: String!) { verifyStepUp(code: $code) { session { id } errors { code } } }"
INVITE = """
mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { id } errors { code field } } }
"""
HOUSEHOLD = """
{ account { primary { id } members(first: 50) {
    edges { node { id displayName email role status permissions } } } } }
"""


# ---------------------------------------------------------------- people, made through the API


async def new_account(portal: Server, first_name: str) -> tuple[Member, str]:
    """A fresh account the operator created, its primary activated on their laptop; and its number."""
    name, email, username = someone(first_name)
    created = portal.cli("create-account", "--name", name, "--email", email)
    assert created.returncode == 0, created.stderr
    number = str(json.loads(created.stdout)["accountNumber"])
    (welcome,) = await portal.mail_to(email, "Activate your account")
    member = Member(username=username, email=email, password=PASSWORD, name=name)
    await activate(portal, link_in(body_of(welcome), "activate"), member)
    return member, number


async def activate(portal: Server, link: str, member: Member) -> dict[str, Any]:
    """activateMember from the link, on the member's laptop (which thereby becomes a familiar device)."""
    activation = {
        "token": link.rpartition("token=")[2],
        "username": member.username,
        "password": member.password,
        "securityQuestion": SECURITY_QUESTION,
        "securityAnswer": SECURITY_ANSWER,
        "deviceId": f"laptop-{member.username}",
    }
    async with httpx.AsyncClient() as client:
        body = await portal.graphql(client, ACTIVATE, {"input": activation})
    payload: dict[str, Any] = body["data"]["activateMember"]
    return payload


async def api_session(portal: Server, client: httpx.AsyncClient, member: Member) -> str:
    """A session token of the member, signed in from their laptop."""
    signed_in = await portal.graphql(
        client,
        SIGN_IN,
        {
            "input": {
                "username": member.username,
                "password": member.password,
                "deviceId": f"laptop-{member.username}",
            }
        },
    )
    assert signed_in["data"]["signIn"]["errors"] == [], signed_in
    token: str = signed_in["data"]["signIn"]["token"]
    return token


async def codes_sent(portal: Server, email: str) -> int:
    return len(await portal.mail_to(email, CODE_SUBJECT, count=0))


async def next_code(portal: Server, email: str, sent_before: int) -> str:
    """The code of the e-mail that follows the `sent_before` codes the member already had."""
    messages = await portal.mail_to(email, CODE_SUBJECT, count=sent_before + 1)
    assert len(messages) == sent_before + 1, [str(message["Subject"]) for message in messages]
    return code_in(body_of(messages[-1]))


async def stepped_up_session(portal: Server, client: httpx.AsyncClient, member: Member) -> str:
    token = await api_session(portal, client, member)
    sent = await codes_sent(portal, member.email)
    requested = await portal.graphql(client, REQUEST_STEP_UP_CODE, token=token)
    assert requested["data"]["requestStepUpCode"]["errors"] == [], requested
    code = await next_code(portal, member.email, sent)
    verified = await portal.graphql(client, VERIFY_STEP_UP, {"code": code}, token=token)
    assert verified["data"]["verifyStepUp"]["errors"] == [], verified
    return token


async def invite(
    portal: Server, primary: Member, first_name: str, role: str = "STANDARD", grants: Sequence[str] = ()
) -> tuple[Member, str]:
    """A member the primary invited through the API (not yet activated), and their invitation link."""
    name, email, username = someone(first_name)
    async with httpx.AsyncClient() as client:
        token = await stepped_up_session(portal, client, primary)
        invited = await portal.graphql(
            client,
            INVITE,
            {"input": {"displayName": name, "email": email, "role": role, "permissions": list(grants)}},
            token=token,
        )
    assert invited["data"]["inviteMember"]["errors"] == [], invited
    (invitation,) = await portal.mail_to(email, "invited")
    member = Member(username=username, email=email, password=PASSWORD, name=name)
    return member, link_in(body_of(invitation), "activate")


async def active_member(portal: Server, primary: Member, first_name: str, role: str = "STANDARD") -> Member:
    """A member the primary invited who activated on their laptop."""
    member, link = await invite(portal, primary, first_name, role)
    assert (await activate(portal, link, member))["errors"] == []
    return member


async def household(portal: Server, member: Member) -> dict[str, Any]:
    """The account's primary and members as the gateway has them, read with the member's session."""
    async with httpx.AsyncClient() as client:
        body = await portal.graphql(client, HOUSEHOLD, token=await api_session(portal, client, member))
    assert "errors" not in body, body
    account: dict[str, Any] = body["data"]["account"]
    return account


def listed(account: dict[str, Any], email: str) -> list[dict[str, Any]]:
    return [edge["node"] for edge in account["members"]["edges"] if edge["node"]["email"] == email]


# ---------------------------------------------------------------- people, in the browser


async def sign_in_as(page: Page, member: Member) -> None:
    await page.goto("/sign-in")
    await sign_in(page, member.username, member.password)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def open_manage_users(page: Page) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Manage users").click()
    await expect(page.get_by_role("heading", name="Manage users", level=1)).to_be_visible()
    await expect(page.get_by_role("heading", name="Users of this account")).to_be_visible()


async def confirm_its_you(page: Page, portal: Server, email: str, wrong_code_first: bool = False) -> None:
    """Answers the "Confirm it's you" dialog with the code it e-mails (after a wrong one, if asked)."""
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog).to_be_visible()
    sent = await codes_sent(portal, email)
    await dialog.get_by_role("button", name="Send code").click()
    await expect(dialog.get_by_role("status")).to_contain_text("We sent a code")
    code = await next_code(portal, email, sent)
    if wrong_code_first:
        await dialog.get_by_label("Code").fill("000000" if code != "000000" else "111111")
        await dialog.get_by_role("button", name="Confirm", exact=True).click()
        await expect(dialog.get_by_role("alert")).to_contain_text("not right")
        await expect(dialog.get_by_role("alert")).not_to_contain_text("INVALID_CODE")
    await dialog.get_by_label("Code").fill(code)
    await dialog.get_by_role("button", name="Confirm", exact=True).click()
    await expect(dialog).to_be_hidden()


async def expect_not_allowed(page: Page, route: str, heading: str, sentence: str) -> None:
    """The route shows its heading and a sentence saying why not, with no error and no raw code."""
    await page.goto(route)
    await expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    await expect(page.get_by_text(sentence)).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_count(0)
    await expect(page.locator("main")).not_to_contain_text("FORBIDDEN")


async def activate_in_browser(page: Page, link: str, member: Member) -> None:
    await page.goto(link)
    await page.get_by_label("Username").fill(member.username)
    await page.get_by_label("Password").fill(member.password)
    await page.get_by_label("Security question").fill(SECURITY_QUESTION)
    await page.get_by_label("Answer").fill(SECURITY_ANSWER)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


# ---------------------------------------------------------------- journeys


async def test_a_standard_user_invited_with_one_grant_sees_only_what_was_granted(
    portal: Server, new_page: NewPage
) -> None:
    # given: a fresh primary whose account has a bill, on the Manage users page
    primary, number = await new_account(portal, "Olive")
    issued = portal.cli("issue-statement", "--account", number, "--amount", "4200", "--description", "Fibre")
    assert issued.returncode == 0, issued.stderr
    own = await new_page()
    await sign_in_as(own, primary)
    await open_manage_users(own)
    form = own.get_by_role("region", name="Invite someone")
    name_field, email_field = form.get_by_label("Name", exact=True), form.get_by_label("E-mail", exact=True)
    add_user = form.get_by_role("button", name="Add user")
    invitee_name, invitee_email, invitee_username = someone("Nina")

    # when: Add user with nothing filled in
    await add_user.click()
    # then: refused at the name and the e-mail, before anything is sent
    await expect_refused(name_field, "Enter the user's name.")
    await expect_refused(email_field, "Enter the e-mail address we should send the invitation to.")
    await expect(own.get_by_role("dialog")).to_have_count(0)

    # when: a name, a standard user with one grant, but an address that is not one
    await name_field.fill(invitee_name)
    await email_field.fill("nina.at.example.com")
    await form.get_by_label("Permission level").select_option(label="Standard user")
    await form.get_by_role("checkbox", name="See bills and payments").check()
    await add_user.click()
    # then: the portal first asks to confirm it's you (a new session is never stepped up), then the
    # gateway refuses the address at its field
    await confirm_its_you(own, portal, primary.email)
    await expect_refused(email_field, "Enter an e-mail address like name@example.com.")
    await expect(name_field).not_to_have_attribute("aria-invalid", "true")

    # when: the address of someone on the account already (the primary's own, typed in capitals)
    await email_field.fill(primary.email.upper())
    await add_user.click()
    # then: refused at the e-mail, saying why
    await expect_refused(email_field, "Someone on this account already uses this e-mail address.")
    assert await serious_violations(own) == []

    # when: the invitee's own address
    await email_field.fill(invitee_email)
    await add_user.click()
    # then: confirmed, listed as an invited standard user, and the invitation e-mailed
    await expect(own.get_by_role("status")).to_contain_text(f"e-mailed an invitation to {invitee_email}")
    row = own.get_by_role("region", name=invitee_name, exact=True)
    await expect(row).to_contain_text("Standard user")
    await expect(row).to_contain_text("Invited")
    (invitation,) = await portal.mail_to(invitee_email, "invited")
    (invited,) = listed(await household(portal, primary), invitee_email)
    assert (invited["role"], invited["status"], invited["permissions"]) == (
        "STANDARD",
        "INVITED",
        ["VIEW_BILLING"],
    )

    # when: the invitee opens the link in their own browser and chooses a weak password
    theirs = await new_page()
    await theirs.goto(link_in(body_of(invitation), "activate"))
    await theirs.get_by_label("Username").fill(invitee_username)
    await theirs.get_by_label("Password").fill(WEAK_PASSWORD)
    await theirs.get_by_label("Security question").fill(SECURITY_QUESTION)
    await theirs.get_by_label("Answer").fill(SECURITY_ANSWER)
    await theirs.get_by_role("button", name="Create account").click()
    # then: refused at the password
    await expect_refused(theirs.get_by_label("Password"), TOO_COMMON)
    # when: a strong one
    await theirs.get_by_label("Password").fill(PASSWORD)
    await theirs.get_by_role("button", name="Create account").click()
    # then: signed in, with the navigation of what was granted only
    await expect(theirs.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    navigation = theirs.get_by_role("navigation", name="Main")
    for name in ("Account overview", "Billing", "Services", "Settings", "Security"):
        await expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in ("Manage users", "API keys"):
        await expect(navigation.get_by_role("link", name=name, exact=True)).to_have_count(0)

    # when: they open the granted page
    await navigation.get_by_role("link", name="Billing", exact=True).click()
    # then: the bill, but no paying it
    await expect(theirs.get_by_role("heading", name="Billing", level=1)).to_be_visible()
    await expect(theirs.get_by_role("region", name="Balance")).to_contain_text("$42.00")
    await expect(theirs.get_by_text("Your access does not include paying bills.")).to_be_visible()
    await expect(theirs.get_by_role("button", name="Pay bill")).to_have_count(0)
    await expect(theirs.get_by_role("alert")).to_have_count(0)
    # then: the pages not granted say why not, in words
    await expect_not_allowed(
        theirs,
        "/members",
        "Manage users",
        "Only the account's primary member can add users or change their access.",
    )
    await expect(theirs.get_by_role("button", name="Add user")).to_have_count(0)
    await expect_not_allowed(
        theirs, "/api-keys", "API keys", "Only the account's primary member can create and revoke API keys"
    )
    await expect_not_allowed(
        theirs, "/services", "Services", "Your access to this account does not include data usage"
    )
    assert await serious_violations(theirs) == []


async def test_the_primary_resends_an_invitation_changes_access_and_removes_a_member(
    portal: Server, new_page: NewPage
) -> None:
    # given: a member the primary invited who has not accepted yet
    primary, _ = await new_account(portal, "Oscar")
    member, first_link = await invite(portal, primary, "Paul")
    own = await new_page()
    await sign_in_as(own, primary)
    await open_manage_users(own)
    row = own.get_by_role("region", name=member.name, exact=True)
    await expect(row).to_contain_text("Invited")

    # when: the primary re-sends the invitation
    await row.get_by_role("button", name="Resend invitation").click()
    # then: confirmed; a second e-mail with a new link arrives, and the first link no longer works
    await expect(own.get_by_role("status")).to_contain_text(f"sent {member.name} a new invitation")
    invitations = await portal.mail_to(member.email, "invited", count=2)
    assert len(invitations) == 2
    second_link = link_in(body_of(invitations[-1]), "activate")
    assert second_link != first_link
    stale = await activate(portal, first_link, member)
    assert stale["errors"] == [{"code": "INVALID_TOKEN"}]

    # when: the member accepts the second one in their own browser
    theirs = await new_page()
    await activate_in_browser(theirs, second_link, member)
    # then: a standard user without grants: no billing, no managing users
    navigation = theirs.get_by_role("navigation", name="Main")
    await expect(navigation.get_by_role("link", name="Settings")).to_be_visible()
    await expect(navigation.get_by_role("link", name="Billing")).to_have_count(0)

    # when: the primary makes them an account partner
    await own.reload()
    await expect(row).to_contain_text("Active")
    await row.get_by_role("button", name="Change access").click()
    await expect(row.get_by_label("Permission level")).to_be_focused()
    await row.get_by_label("Permission level").select_option(label="Account partner")
    await expect(row.get_by_role("checkbox")).to_have_count(0)
    await row.get_by_role("button", name="Save").click()
    await confirm_its_you(own, portal, primary.email)
    # then: saved, and the row says so (not its closed form's options), also on the gateway
    await expect(own.get_by_role("status")).to_contain_text(f"{member.name}'s access is saved")
    await expect(row.get_by_label("Permission level")).to_have_count(0)
    await expect(row).to_contain_text("Account partner")
    (partner,) = listed(await household(portal, primary), member.email)
    assert (partner["role"], partner["status"]) == ("MANAGER", "ACTIVE")
    assert "VIEW_BILLING" in partner["permissions"]
    assert "MANAGE_MEMBERS" not in partner["permissions"]
    # then: the member's page shows it once they reload
    await theirs.reload()
    await expect(navigation.get_by_role("link", name="Billing")).to_be_visible()
    await expect(navigation.get_by_role("link", name="Manage users")).to_have_count(0)

    # when: the primary starts removing them, and changes their mind with Escape
    remove = row.get_by_role("button", name="Remove", exact=True)
    await remove.click()
    asking = row.get_by_role("group", name=f"Remove {member.name}?")
    await expect(asking).to_contain_text("They will be signed out and can no longer use this account.")
    await expect(asking.get_by_role("button", name="Keep")).to_be_focused()
    await own.keyboard.press("Escape")
    # then: nothing asked any more, the member still listed, the keyboard back on "Remove"
    await expect(asking).to_have_count(0)
    await expect(remove).to_be_focused()
    await expect(row).to_contain_text("Account partner")

    # when: the primary removes them, and says yes when asked
    await remove.click()
    await asking.get_by_role("button", name="Yes, remove").click()
    # then: gone from the list, also after a reload and on the gateway
    await expect(own.get_by_role("status")).to_contain_text(f"{member.name} was removed")
    await expect(row).to_have_count(0)
    await own.reload()
    await expect(own.get_by_role("region", name=YOU)).to_be_visible()
    await expect(row).to_have_count(0)
    assert listed(await household(portal, primary), member.email) == []
    # then: their session has ended, and signing in again is refused in words
    await theirs.reload()
    await expect(theirs.get_by_role("button", name="Sign in")).to_be_visible()
    await expect(theirs.get_by_role("navigation", name="Main")).to_have_count(0)
    await sign_in(theirs, member.username, member.password)
    await expect(theirs.get_by_role("alert")).to_contain_text("can't sign in")
    await expect(theirs.get_by_role("alert")).not_to_contain_text("ACCOUNT_DISABLED")
    await expect(theirs.get_by_role("heading", name="Account overview")).to_have_count(0)


async def test_the_primary_unlocks_a_locked_out_member_who_can_then_sign_in(
    portal: Server, new_page: NewPage
) -> None:
    # given: a member locked out by wrong passwords from somewhere else (an address of TEST-NET-3)
    primary, _ = await new_account(portal, "Quentin")
    member = await active_member(portal, primary, "Rosa")
    elsewhere = {"X-Forwarded-For": f"203.0.113.{secrets.randbelow(250) + 1}"}
    async with httpx.AsyncClient(headers=elsewhere) as client:
        for _ in range(LOCKOUT_THRESHOLD):
            wrong = {"username": member.username, "password": "not the password at all"}
            refused = await portal.graphql(client, SIGN_IN, {"input": wrong})
    assert refused["data"]["signIn"]["errors"] == [{"code": "ACCOUNT_LOCKED"}], refused
    theirs = await new_page()
    await theirs.goto("/sign-in")
    await sign_in(theirs, member.username, member.password)
    await expect(theirs.get_by_role("alert")).to_contain_text("locked")

    # when: the primary sees them locked and unlocks them
    own = await new_page()
    await sign_in_as(own, primary)
    await open_manage_users(own)
    row = own.get_by_role("region", name=member.name, exact=True)
    await expect(row).to_contain_text("Locked")
    await row.get_by_role("button", name="Unlock").click()
    # then: confirmed; the row says active, with nothing left to unlock
    await expect(own.get_by_role("status")).to_contain_text(f"{member.name} can sign in again")
    await expect(row).to_contain_text("Active")
    await expect(row.get_by_role("button", name="Unlock")).to_have_count(0)
    (unlocked,) = listed(await household(portal, primary), member.email)
    assert unlocked["status"] == "ACTIVE"

    # when: the member signs in again
    sent = await codes_sent(portal, member.email)
    await sign_in(theirs, member.username, member.password)
    # then: after those failures their new browser gets a code first; with it, they are in
    await expect(theirs.get_by_label("Code")).to_be_visible()
    await theirs.get_by_label("Code").fill(await next_code(portal, member.email, sent))
    await theirs.get_by_role("button", name="Verify").click()
    await expect(theirs.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def test_the_primary_hands_over_the_primary_role_and_no_longer_manages_users(
    portal: Server, new_page: NewPage
) -> None:
    # given: a primary and an active account partner
    primary, _ = await new_account(portal, "Samuel")
    partner = await active_member(portal, primary, "Tara", role="MANAGER")
    own = await new_page()
    await sign_in_as(own, primary)
    await open_manage_users(own)
    row = own.get_by_role("region", name=partner.name, exact=True)
    hand_over = row.get_by_role("button", name="Make primary member")

    # when: the primary starts handing over, and keeps the role after all
    await hand_over.click()
    await expect(row).to_contain_text(f"Make {partner.name} the primary member?")
    await expect(row.get_by_role("button", name="Keep")).to_be_focused()
    await row.get_by_role("button", name="Keep").click()
    # then: nothing changed, and the keyboard is back on the button that asked
    await expect(hand_over).to_be_focused()
    await expect(row).not_to_contain_text("the primary member?")
    await expect(row).to_contain_text("Account partner")
    await expect(own.get_by_role("dialog")).to_have_count(0)

    # when: they hand over for real, and give a wrong code before the right one
    await hand_over.click()
    await row.get_by_role("button", name="Yes, hand over").click()
    await confirm_its_you(own, portal, primary.email, wrong_code_first=True)
    # then: the partner is primary; the former primary is an account partner who cannot manage users
    await expect(own.get_by_role("status")).to_contain_text(f"{partner.name} is now the primary member")
    await expect(row).to_contain_text("Primary member")
    await expect(own.get_by_role("region", name=YOU)).to_contain_text("Account partner")
    navigation = own.get_by_role("navigation", name="Main")
    await expect(navigation.get_by_role("link", name="Manage users")).to_have_count(0)
    await expect(navigation.get_by_role("link", name="Billing")).to_be_visible()
    await expect(own.get_by_text("Only the account's primary member can add users")).to_be_visible()
    await expect(own.get_by_role("button", name="Add user")).to_have_count(0)
    account = await household(portal, partner)
    (new_primary,) = listed(account, partner.email)
    (former,) = listed(account, primary.email)
    assert account["primary"]["id"] == new_primary["id"]
    assert (new_primary["role"], former["role"]) == ("PRIMARY", "MANAGER")
    # then: also after a reload, and on the API keys page
    await own.reload()
    await expect(navigation.get_by_role("link", name="Billing")).to_be_visible()
    await expect(navigation.get_by_role("link", name="Manage users")).to_have_count(0)
    await expect_not_allowed(own, "/api-keys", "API keys", "Only the account's primary member can create")
