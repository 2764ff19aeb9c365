"""Partner API keys in Chromium: the primary creates one (its secret shown once), a partner app uses it as a
bearer credential for what it was given and nothing else, and revoking it shuts the app out."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server
from tests.e2e.support import expect_refused, serious_violations
from tests.e2e.test_members import confirm_its_you, new_account, sign_in_as

pytestmark = pytest.mark.e2e

SHOWN_PREFIX = 12  # characters of a key the portal keeps showing (models/api_keys.py SHOWN_CHARS)
BALANCE = "{ account { number balance { formatted } } }"
PAYMENT_METHODS = "{ account { paymentMethods { id } } }"


async def as_partner_app(portal: Server, key: str, query: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        return await portal.graphql(client, query, token=key)


async def test_the_primary_creates_an_api_key_seen_once_that_works_until_revoked(
    portal: Server, page: Page
) -> None:
    # given: a primary on the API keys page
    primary, number = await new_account(portal, "Ursula")
    await sign_in_as(page, primary)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    await expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    form, keys = page.get_by_role("region", name="Create a key"), page.get_by_role("region", name="Keys")
    key_name = form.get_by_label("Key name")
    create = form.get_by_role("button", name="Create API key")
    await expect(keys).to_contain_text("No API keys.")
    # then: a key can never be given the managing of users, so it is not offered (among those that are)
    await expect(form.get_by_role("checkbox", name="See bills and payments")).to_be_visible()
    await expect(form.get_by_role("checkbox", name="Manage users")).to_have_count(0)

    # when: create with no name
    await form.get_by_role("checkbox", name="See bills and payments").check()
    await create.click()
    # then: refused at the name, before anything is sent
    await expect_refused(key_name, "Name the key after the app that will use it.")
    await expect(page.get_by_role("dialog")).to_have_count(0)

    # when: a name, confirmed as the primary
    await key_name.fill("Budget app")
    await create.click()
    await confirm_its_you(page, portal, primary.email)
    # then: the secret is shown once, and the key listed by its name and prefix
    shown = form.get_by_role("status")
    await expect(shown).to_contain_text("Copy it now: we show it only once.")
    found = re.search(r"agk_[A-Za-z0-9_\-]+", await shown.inner_text())
    assert found is not None
    secret = found.group(0)
    listing = keys.get_by_role("listitem")
    await expect(listing).to_have_count(1)
    await expect(listing).to_contain_text("Budget app")
    await expect(listing).to_contain_text(secret[:SHOWN_PREFIX])
    await expect(listing).to_contain_text("never used")
    assert await serious_violations(page) == []

    # when: a partner app uses it as its bearer credential
    answer = await as_partner_app(portal, secret, BALANCE)
    # then: the account, within what the key was given, and nothing beyond it
    assert "errors" not in answer, answer
    assert answer["data"]["account"] == {"number": number, "balance": {"formatted": "$0.00"}}
    beyond = await as_partner_app(portal, secret, PAYMENT_METHODS)
    assert [error["extensions"]["code"] for error in beyond["errors"]] == ["FORBIDDEN"]

    # when: the primary reloads the page
    await page.reload()
    # then: the secret is gone for good; only its prefix remains, now with the key's use
    await expect(listing).to_contain_text(secret[:SHOWN_PREFIX])
    await expect(listing).to_contain_text("last used")
    assert secret not in await page.content()

    # when: they revoke it, and the page asks first
    await listing.get_by_role("button", name="Revoke", exact=True).click()
    await expect(listing).to_contain_text("Revoke “Budget app”? Apps using it are refused at once")
    await listing.get_by_role("button", name="Yes, revoke").click()
    # then: confirmed, no longer listed (also after a reload), and the app is refused
    await expect(keys.get_by_role("status")).to_contain_text("“Budget app” is revoked")
    await expect(keys).to_contain_text("No API keys.")
    await page.reload()
    await expect(keys).to_contain_text("No API keys.")
    refused = await as_partner_app(portal, secret, BALANCE)
    assert refused["data"]["account"] is None
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["UNAUTHENTICATED"]
