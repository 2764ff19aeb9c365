"""What the end-to-end tests share: Chromium's settings, the watch on every page (console errors, failed
requests), axe-core, and members made the way people get them (the operator's CLI, the welcome e-mail)."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import ConsoleMessage, Error, Locator, Page, Request, Response, expect

from gateway.settings import PORTAL_DIR
from tests.blackbox import Server, body_of

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium; Playwright's own browsers are never downloaded. No sandbox: CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The built portal the started gateway serves: web/dist, or PORTAL_DIR (a build elsewhere, e.g.
# `npx vite build --outDir /tmp/portal` while another build is under way).
PORTAL = Path(os.environ.get("PORTAL_DIR") or PORTAL_DIR)
AXE = PORTAL_DIR.parent / "node_modules" / "axe-core" / "axe.min.js"
# axe's impacts that fail a test; "moderate" and "minor" ones are left to review.
BLOCKING_IMPACTS = ("serious", "critical")
PASSWORD = "quiet harbour lantern 4096 velvet"
SECURITY_QUESTION = "Name of my first bicycle?"
SECURITY_ANSWER = "Blue Thunder"
NewPage = Callable[[], Awaitable[Page]]
# What a raw error code looks like (INVALID_CODE, ACCOUNT_LOCKED): never shown to a member.
ERROR_CODE = re.compile(r"\b[A-Z]+_[A-Z_]+\b")
ACTIVATE = """
mutation($input: ActivateMemberInput!) {
  activateMember(input: $input) { token member { id } errors { code } }
}
"""


def link_in(body: str, page: str) -> str:
    """The `{PUBLIC_URL}/<page>?token=...` link of a message."""
    found = re.search(rf"https?://\S+/{page}\?token=[A-Za-z0-9_\-]+", body)
    assert found is not None, f"no /{page} link in:\n{body}"
    return found.group(0)


def code_in(body: str) -> str:
    """The six-digit code alone on its line (the contract's format for codes)."""
    found = re.search(r"^(\d{6})$", body, re.MULTILINE)
    assert found is not None, f"no code in:\n{body}"
    return found.group(1)


async def expect_refused(field: Locator, reason: str | re.Pattern[str]) -> None:
    """The field is marked invalid and its description gives `reason` (words it holds, or a pattern), with
    no raw error code. Playwright retries until the description matches, so a field that was refused
    already, for another reason, does not pass on its old state: give the new reason."""
    wanted = reason if isinstance(reason, re.Pattern) else re.compile(re.escape(reason))
    await expect(field).to_have_accessible_description(wanted)
    await expect(field).to_have_attribute("aria-invalid", "true")
    description: str = await field.evaluate(
        "(input) => input.getAttribute('aria-describedby').split(' ')"
        ".map((id) => document.getElementById(id).textContent).join(' ')"
    )
    assert not ERROR_CODE.search(description), description


def graphql_answer(operation: str) -> Callable[[Response], bool]:
    """For `page.expect_response`: the gateway's answer to the page's GraphQL operation named `operation`
    (e.g. "SignIn"), so that a step waits for its own answer, not an earlier one's."""
    named = re.compile(rf"\b(?:query|mutation) {re.escape(operation)}\b")

    def answers(response: Response) -> bool:
        request = response.request
        if request.method != "POST" or not response.url.endswith("/graphql"):
            return False
        sent = request.post_data_json
        return isinstance(sent, dict) and bool(named.search(str(sent.get("query", ""))))

    return answers


@dataclass
class PageWatch:
    """Everything a page did wrong: console errors, uncaught exceptions, failed requests, answers >= 400.
    A request the page itself abandoned (a navigation while it ran: net::ERR_ABORTED) is no failure."""

    page: Page
    problems: list[str] = field(default_factory=list)
    expected_statuses: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", self._page_error)
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def expect_status(self, status: int, url_part: str) -> None:
        """An answer of `status` for a URL holding `url_part` is what the test wants, not a problem."""
        self.expected_statuses.append((status, url_part))

    def _expected(self, status: int, url: str) -> bool:
        return any(status == wanted and part in url for wanted, part in self.expected_statuses)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        failed_load = re.match(
            r"Failed to load resource: the server responded with a status of (\d+)", message.text
        )
        if failed_load and self._expected(int(failed_load.group(1)), message.location.get("url", "")):
            return
        self.problems.append(f"console error: {message.text} ({message.location.get('url', '')})")

    def _page_error(self, error: Error) -> None:
        self.problems.append(f"uncaught exception: {error.message}")

    def _request_failed(self, request: Request) -> None:
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not self._expected(response.status, response.url):
            self.problems.append(f"answer {response.status}: {response.request.method} {response.url}")


async def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now. axe is evaluated through the
    DevTools protocol, which the page's CSP does not govern, so no bypass is needed and the CSP still
    shows every inline script or style of the app as a console error."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text())
    violations: list[dict[str, Any]] = await page.evaluate(
        """async () => {
            const result = await window.axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return [
        f"axe {v['impact']} {v['id']}: {v['help']} at {', '.join(v['targets'])} ({page.url})"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


@dataclass(frozen=True)
class Member:
    username: str
    email: str
    password: str
    name: str
    token: str = ""  # the session its activation opened on the member's laptop


def someone(first_name: str) -> tuple[str, str, str]:
    """A fresh (name, e-mail, username) for a test: one server holds every test's accounts."""
    tag = secrets.token_hex(3)
    return f"{first_name} Tester", f"{first_name.lower()}.{tag}@example.com", f"{first_name.lower()}_{tag}"


async def create_account(portal: Server, name: str, email: str, *extra: str) -> str:
    """`gateway create-account` as the operator runs it (with `extra` options, e.g. "--phone", ...); the
    link of the welcome e-mail it sends."""
    return (await _created(portal, name, email, *extra))[1]


async def _created(portal: Server, name: str, email: str, *extra: str) -> tuple[dict[str, str], str]:
    """What create-account printed (accountNumber, serviceId with --plan...), and the welcome link."""
    created = portal.cli("create-account", "--name", name, "--email", email, *extra)
    assert created.returncode == 0, created.stderr
    printed: dict[str, str] = json.loads(created.stdout)
    assert "accountNumber" in printed
    (welcome,) = await portal.mail_to(email, "Activate your account")
    return printed, link_in(body_of(welcome), "activate")


async def activated_member(portal: Server, first_name: str, *extra: str) -> Member:
    """An account created by the operator (with `extra` create-account options) and activated from its
    welcome e-mail on another device (the member's laptop), so the browser of a test is a device the
    gateway has not seen."""
    return (await activated_account(portal, first_name, *extra))[0]


async def activated_account(portal: Server, first_name: str, *extra: str) -> tuple[Member, dict[str, str]]:
    """activated_member, with what create-account printed (accountNumber, serviceId...)."""
    name, email, username = someone(first_name)
    printed, link = await _created(portal, name, email, *extra)
    activation = {
        "token": link.rpartition("token=")[2],
        "username": username,
        "password": PASSWORD,
        "securityQuestion": SECURITY_QUESTION,
        "securityAnswer": SECURITY_ANSWER,
        "deviceId": f"laptop-{username}",
    }
    async with httpx.AsyncClient() as client:
        body = await portal.graphql(client, ACTIVATE, {"input": activation})
    assert body["data"]["activateMember"]["errors"] == [], body
    activated = body["data"]["activateMember"]
    member = Member(username=username, email=email, password=PASSWORD, name=name, token=activated["token"])
    return member, printed
