"""End-to-end fixtures: one `gateway serve` for the session (as `make run` starts it, serving the built
portal), Debian's Chromium through Playwright, and a fresh browser context per person in a test.

After each test every page it opened is checked: no console error, no failed request, no serious or
critical axe-core violation. A failing test leaves a screenshot and the HTML of each of its pages (and
the server's log) in var/e2e-failures/<test>/, named in its report."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import shutil
from collections.abc import AsyncIterator, Generator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.blackbox import Server, started_gateway
from tests.e2e.support import AXE, CHROMIUM, CHROMIUM_ARGS, PORTAL, NewPage, PageWatch, serious_violations

FAILURES = Path(__file__).resolve().parents[2] / "var" / "e2e-failures"
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
TIMEOUT_MS = 10_000
# One address per browser context (TEST-NET-2, RFC 5737), as if each person were on their own network.
ADDRESSES = (f"198.51.100.{number % 250 + 1}" for number in itertools.count())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keeps each phase's report on the test, so its fixtures know in teardown whether it failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(autouse=True)
def clean_state() -> None:
    """The browser talks to the started gateway only: the in-process test database is not theirs to reset."""


@pytest.fixture(scope="session")
async def portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """`gateway serve` on its own DATA_DIR, SQLite and embedded Redis, serving web/dist. It trusts
    127.0.0.1 as a proxy, so each browser context can come from its own address (`X-Forwarded-For`), as
    people do: the per-address sign-in throttle then counts each person's mistakes, not the suite's."""
    if not (PORTAL / "index.html").is_file():
        pytest.fail(
            f"the end-to-end tests need the built portal, and {PORTAL}/index.html is missing: "
            "`make test` builds it (or `cd web && npm ci && npm run build`)",
            pytrace=False,
        )
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `cd web && npm ci` installs axe-core", pytrace=False)
    async with started_gateway(
        tmp_path_factory.mktemp("portal"), PORTAL_DIR=str(PORTAL), TRUSTED_PROXIES="127.0.0.1/32"
    ) as server:
        yield server


@pytest.fixture(scope="session")
def demo(portal: Server) -> dict[str, str]:
    """The demo account of `gateway seed-demo`: its printed login."""
    seeded = portal.cli("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    login: dict[str, str] = json.loads(seeded.stdout)
    return login


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does it)", pytrace=False)
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@pytest.fixture
async def new_page(
    browser: Browser, portal: Server, request: pytest.FixtureRequest
) -> AsyncIterator[NewPage]:
    """Opens a page in a fresh browser context (a person on their own device); checks them all after."""
    watches: list[PageWatch] = []

    async def open_page() -> Page:
        context = await browser.new_context(
            base_url=portal.url,
            viewport={"width": 1280, "height": 900},
            extra_http_headers={"X-Forwarded-For": next(ADDRESSES)},
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        watches.append(PageWatch(page))
        return page

    yield open_page
    try:
        problems = [problem for watch in watches for problem in watch.problems]
        for watch in watches:
            if not watch.page.is_closed():
                problems += await serious_violations(watch.page)
        reports = request.node.stash.get(REPORTS, {})
        failed = any(report.failed for report in reports.values())
        if failed or problems:
            saved = await _save_artefacts(request.node, watches, portal)
            if "call" in reports and reports["call"].failed:
                reports["call"].sections.append(("end-to-end artefacts", saved))
            if problems:
                pytest.fail("the pages had problems:\n" + "\n".join(problems) + f"\n{saved}", pytrace=False)
    finally:
        for watch in watches:
            with contextlib.suppress(Exception):
                await watch.page.context.close()


@pytest.fixture
async def page(new_page: NewPage) -> Page:
    """The page of the test's one person."""
    return await new_page()


async def _save_artefacts(item: pytest.Item, watches: list[PageWatch], portal: Server) -> str:
    folder = FAILURES / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for number, watch in enumerate(watches, start=1):
        if watch.page.is_closed():
            continue
        with contextlib.suppress(Exception):
            await watch.page.screenshot(path=folder / f"page-{number}.png", full_page=True)
            (folder / f"page-{number}.html").write_text(await watch.page.content())
            (folder / f"page-{number}.url").write_text(watch.page.url + "\n")
    log = portal.data_dir / "serve.log"
    if log.exists():
        shutil.copy(log, folder / "serve.log")
    files = ", ".join(sorted(path.name for path in folder.iterdir()))
    return f"screenshots, HTML and the server log: {folder} ({files})"
