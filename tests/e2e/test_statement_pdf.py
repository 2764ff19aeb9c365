"""A statement's "Download PDF" on the Billing page, from the keyboard: the browser saves the statement as a
PDF that holds the account number and the amount due (the link behind it is fetched fresh on each press)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from pypdf import PdfReader

from tests.blackbox import Server
from tests.e2e.test_billing import PLAN, billed_member, open_billing, signed_in

pytestmark = pytest.mark.e2e


async def test_download_pdf_saves_the_statement(portal: Server, page: Page) -> None:
    # given: a member with one statement of the Gig plan, $65.00, on the Billing page
    billed = await billed_member(portal, "Pia")
    await signed_in(page, billed.member)
    await open_billing(page)
    statements = page.get_by_role("region", name="Statements")
    download_pdf = statements.get_by_role("button", name="Download PDF")
    await expect(download_pdf).to_have_count(1)
    # when: the member presses it from the keyboard
    await download_pdf.focus()
    async with page.expect_download() as downloading:
        await page.keyboard.press("Enter")
    download = await downloading.value
    # then
    assert download.suggested_filename.endswith(".pdf")
    saved = await asyncio.to_thread(Path(await download.path()).read_bytes)
    text = PdfReader(io.BytesIO(saved)).pages[0].extract_text()
    assert billed.account_number in text
    assert f"Internet - {PLAN}" in text
    assert "Total $65.00" in text
    await expect(download_pdf).to_be_enabled()
    await expect(page.get_by_role("alert")).to_have_count(0)
