"""Passkeys and recovery codes in Chromium, with the DevTools Protocol's virtual authenticator (a platform
authenticator holding discoverable credentials, verifying its user): add a passkey on the Security page,
sign in with it from the sign-in page, confirm it's you with it; and a member whose phone is gone signs
in with a recovery code.

WebAuthn refuses an IP address as the relying party id, so this module's gateway is reached (and its
PUBLIC_URL named) as http://localhost:<port>, not 127.0.0.1 as the other end-to-end modules' is."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import CDPSession, Page, Route, expect

from tests.blackbox import Server, body_of, started_gateway
from tests.e2e.support import PORTAL, NewPage, activated_member, serious_violations
from tests.e2e.test_lost_phone import with_two_factor_and_recovery_codes
from tests.e2e.test_security import confirm_it_s_you, signed_in
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

RECOVERY_CODE = re.compile(r"^[a-z0-9]{5}-[a-z0-9]{5}$")


@pytest.fixture(scope="module")
async def portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """The session's portal fixture, named localhost: the page's origin and the RP id agree."""
    async with started_gateway(
        tmp_path_factory.mktemp("passkeys"),
        host="localhost",
        PORTAL_DIR=str(PORTAL),
        TRUSTED_PROXIES="127.0.0.1/32",
    ) as server:
        yield server


async def with_authenticator(page: Page) -> tuple[CDPSession, str]:
    """A virtual platform authenticator on the page's device, as a phone or laptop with a screen lock."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    added: dict[str, Any] = await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


async def hold_autofill(page: Page) -> asyncio.Event:
    """Holds the sign-in page's first passkey request (the autofill's) until the event is set, so that the
    virtual authenticator, which answers it at once, leaves the button's request to answer."""
    release = asyncio.Event()
    held: list[bool] = []

    async def handle(route: Route) -> None:
        if "BeginPasskeySignIn" in (route.request.post_data or "") and not held:
            held.append(True)
            await release.wait()
        await route.fallback()

    await page.route("**/graphql", handle)
    return release


async def test_a_member_adds_a_passkey_signs_in_with_it_and_confirms_it_s_them_with_it(
    portal: Server, new_page: NewPage
) -> None:
    # given: a member signed in with their password on a laptop that holds passkeys, on Security
    member = await activated_member(portal, "Petra")
    page = await new_page()
    cdp, authenticator = await with_authenticator(page)
    await signed_in(page, member.username, member.password)
    await page.goto("/security")
    passkeys = page.get_by_role("region", name="Passkeys")
    await expect(passkeys).to_contain_text("You have no passkeys yet.")

    # when: they add a passkey, named, confirming it's them with an e-mailed code (a sensitive change)
    await passkeys.get_by_role("button", name="Add a passkey").click()
    await passkeys.get_by_label("Passkey name").fill("Work laptop")
    await passkeys.get_by_role("button", name="Create passkey").click()
    await confirm_it_s_you(page, portal, member.email)
    # then: the passkey is on the device and in the list, said in words; recovery codes are offered
    await expect(passkeys.get_by_role("status")).to_contain_text('The passkey "Work laptop" is added')
    listed = passkeys.get_by_role("list", name="Your passkeys").get_by_role("listitem")
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("Work laptop")
    stored = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1
    assert stored["credentials"][0]["isResidentCredential"] is True
    recovery = page.get_by_role("region", name="Recovery codes")
    await expect(recovery).to_contain_text("Now get your recovery codes")
    assert await serious_violations(page) == []

    # when: they rename it (still within the confirmed minutes: no dialog)
    await listed.get_by_role("button", name="Rename").click()
    await listed.get_by_label("New name for Work laptop").fill("Laptop passkey")
    await listed.get_by_role("button", name="Save").click()
    # then
    await expect(passkeys.get_by_role("status")).to_contain_text('now called "Laptop passkey"')
    await expect(listed).to_contain_text("Laptop passkey")

    # when: they sign out: the sign-in form offers the passkey in the username field's autofill, which the
    # virtual authenticator answers at once, as a member picking it there
    await page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    # then: signed in with the passkey, no username, no password
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()

    # when: they sign out, and (the autofill's request held back) use the "Use a passkey" button
    held = await hold_autofill(page)
    await page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Username")).to_have_attribute("autocomplete", "username webauthn")
    await page.get_by_role("button", name="Use a passkey").click()
    # then: signed in, on the overview
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    held.set()

    # given: the passkey synced to their tablet, where they sign in with the password (a session that
    # has not confirmed it's them)
    synced = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    tablet = await new_page()
    await signed_in(tablet, member.username, member.password)
    tablet_cdp, tablet_authenticator = await with_authenticator(tablet)
    for credential in synced["credentials"]:
        await tablet_cdp.send(
            "WebAuthn.addCredential", {"authenticatorId": tablet_authenticator, "credential": credential}
        )
    page = tablet
    recovery = page.get_by_role("region", name="Recovery codes")
    passkeys = page.get_by_role("region", name="Passkeys")
    listed = passkeys.get_by_role("list", name="Your passkeys").get_by_role("listitem")
    # when: they generate recovery codes, and confirm it's them with the passkey
    await page.goto("/security")
    await recovery.get_by_role("button", name="Generate recovery codes").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Use your passkey").click()
    # then: the dialog closes and ten codes are shown, once, to download or print
    await expect(dialog).to_have_count(0)
    codes = recovery.get_by_role("list", name="Your new recovery codes").get_by_role("listitem")
    await expect(codes).to_have_count(10)
    for code in await codes.all_inner_texts():
        assert RECOVERY_CODE.match(code.strip()), code
    await expect(recovery.get_by_role("button", name="Print")).to_be_visible()
    async with page.expect_download() as downloading:
        await recovery.get_by_role("button", name="Download").click()
    download = await downloading.value
    assert download.suggested_filename == "recovery-codes.txt"
    saved = (await download.path()).read_text()
    assert all(code.strip() in saved for code in await codes.all_inner_texts())
    assert await serious_violations(page) == []
    await recovery.get_by_role("button", name="I have saved my codes").click()
    await expect(recovery).to_contain_text("You have 10 unused recovery codes.")
    # and: the activity log has the passkey and its use
    activity = page.get_by_role("region", name="Activity")
    await expect(activity).to_contain_text('added the passkey "Work laptop"')

    # when: they remove the passkey
    await listed.get_by_role("button", name="Remove").click()
    # then: gone, said in words
    await expect(passkeys.get_by_role("status")).to_contain_text('The passkey "Laptop passkey" is removed')
    await expect(passkeys).to_contain_text("You have no passkeys yet.")


async def test_a_member_whose_phone_is_gone_signs_in_with_a_recovery_code(
    portal: Server, new_page: NewPage
) -> None:
    # given: a member with two-factor sign-in (an authenticator app) who saved recovery codes
    member = await activated_member(portal, "Rosa")
    first, second = (await with_two_factor_and_recovery_codes(await new_page(), portal, member))[:2]

    # when: the phone is gone; on a new device, they sign in, and choose to use a recovery code
    phone_gone = await new_page()
    await phone_gone.goto("/sign-in")
    await sign_in(phone_gone, member.username, member.password)
    await expect(phone_gone.get_by_text("Open your authenticator app")).to_be_visible()
    await phone_gone.get_by_role("button", name="Use a recovery code").click()
    field = phone_gone.get_by_label("Recovery code")
    await expect(field).to_be_focused()
    assert await serious_violations(phone_gone) == []
    # when: a code that is not theirs, then one of theirs
    await field.fill("aaaaa-bbbbb")
    await phone_gone.get_by_role("button", name="Verify").click()
    await expect(field).to_have_accessible_description(re.compile("recovery code is not right"))
    await field.fill(first)
    await phone_gone.get_by_role("button", name="Verify").click()
    # then: signed in; the member is told by e-mail how many remain; Security says so too
    await expect(phone_gone.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    (told,) = await portal.mail_to(member.email, "A recovery code was used")
    assert "9 of 10 remain" in body_of(told)
    await phone_gone.goto("/security")
    await expect(phone_gone.get_by_role("region", name="Recovery codes")).to_contain_text(
        "You have 9 unused recovery codes."
    )
    assert second != first
