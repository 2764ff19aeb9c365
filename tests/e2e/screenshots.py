"""`make screenshots`: pictures of the portal as the demo account's primary member sees it, for the README.

Starts `gateway serve` as the end-to-end tests do (its own SQLite and embedded Redis, the built portal),
seeds the demo account, signs in in Debian's Chromium and writes docs/screenshots/<page>.png."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

from tests.blackbox import started_gateway
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, PORTAL

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PAGES = {
    "overview": ("/", "Account overview"),
    "billing": ("/billing", "Billing"),
    "members": ("/members", "Manage users"),
}
VIEWPORT = {"width": 1280, "height": 900}


async def main(out: Path) -> None:
    if not (PORTAL / "index.html").is_file():
        sys.exit(f"{PORTAL}/index.html is missing: `make web` builds the portal")
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: `apt-get install chromium`")
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        async with started_gateway(Path(data_dir), PORTAL_DIR=str(PORTAL)) as portal:
            seeded = portal.cli("seed-demo")
            if seeded.returncode != 0:
                sys.exit(seeded.stderr)
            login = json.loads(seeded.stdout)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                context = await browser.new_context(base_url=portal.url, viewport=VIEWPORT)
                page = await context.new_page()
                await sign_in(page, login["username"], login["password"])
                for name, (route, heading) in PAGES.items():
                    await page.goto(route)
                    await expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
                    await page.wait_for_load_state("networkidle")
                    await expect(page.get_by_text("Loading…")).to_have_count(0)
                    path = out / f"{name}.png"
                    await page.screenshot(path=path, full_page=True)
                    sys.stdout.write(f"{path}\n")
                await browser.close()


async def sign_in(page: Page, username: str, password: str) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
