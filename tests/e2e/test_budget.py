"""The size budget: the JavaScript of the first page, gzipped, stays under 150 KB."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest
from playwright.async_api import Page, Response, expect

from tests.blackbox import Server

pytestmark = pytest.mark.e2e

BUDGET_BYTES = 150 * 1024
# What index.html makes the browser fetch before the first page shows: its module scripts and preloads.
FIRST_SCRIPTS = re.compile(
    r'<script[^>]*\bsrc="(?P<script>[^"]+)"|<link[^>]*\brel="modulepreload"[^>]*\bhref="(?P<preload>[^"]+)"'
)


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


async def test_the_first_page_s_javascript_is_under_150_kb_gzipped(portal: Server, page: Page) -> None:
    # given
    async with httpx.AsyncClient(base_url=portal.url) as client:
        index = (await client.get("/")).text
        named = {match.group("script") or match.group("preload") for match in FIRST_SCRIPTS.finditer(index)}
        listed = {path: gzipped((await client.get(path)).content) for path in named}
    loaded: list[Response] = []
    page.on("response", lambda response: loaded.append(response))
    # when
    await page.goto("/")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    fetched = {
        response.url: gzipped(await response.body())
        for response in loaded
        if response.request.resource_type == "script"
    }
    # then
    assert listed, f"index.html names no script:\n{index}"
    total = max(sum(listed.values()), sum(fetched.values()))
    print(f"first page JavaScript, gzipped: {total / 1024:.1f} KB in {len(fetched)} files")  # noqa: T201
    assert total < BUDGET_BYTES, f"{total / 1024:.1f} KB gzipped: {sorted(fetched.items())}"
