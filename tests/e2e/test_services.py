"""Services in Chromium: the metered service with this period's usage (fed by the operator's
`record-usage`), booking and cancelling a technician's visit, and reporting an outage."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from tests.blackbox import Server, body_of
from tests.e2e.support import (
    PASSWORD,
    activated_account,
    expect_refused,
    serious_violations,
)
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

PLAN = "Gig"
ALLOWANCE_BYTES = 1_200_000_000_000  # 1.2 TB a month
USED_BYTES = 300_000_000_000  # a quarter of it


@dataclass(frozen=True)
class Household:
    username: str
    email: str
    account_number: str
    service_id: str


async def household_with_metered_internet(portal: Server, first_name: str) -> Household:
    """An account the operator created with a metered INTERNET service, its primary activated on
    another device."""
    member, account = await activated_account(
        portal, first_name, "--plan", PLAN, "--price", "7999", "--allowance", str(ALLOWANCE_BYTES)
    )
    return Household(member.username, member.email, account["accountNumber"], account["serviceId"])


async def test_a_member_sees_the_usage_books_and_cancels_a_visit_and_reports_an_outage(
    portal: Server, page: Page
) -> None:
    # given: a household with a metered service, a quarter of whose allowance the metering feed recorded
    household = await household_with_metered_internet(portal, "Tamsin")
    recorded = portal.cli(
        "record-usage", "--account", household.account_number,
        "--service", household.service_id, "--bytes", str(USED_BYTES),
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout)["usedBytes"] == USED_BYTES
    await page.goto("/sign-in")
    await sign_in(page, household.username, PASSWORD)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()

    # when: the member opens Services from the navigation
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Services").click()
    # then: the service, and this period's usage in words, with the share used, and as a meter
    await expect(page.get_by_role("heading", name="Services", level=1)).to_be_visible()
    services = page.get_by_role("region", name="Your services")
    await expect(services).to_contain_text(f"{PLAN} (Internet), $79.99 a month")
    await expect(services).to_contain_text("300 GB of 1.2 TB (25%)")
    await expect(services.get_by_role("meter", name=f"Data used on {PLAN}")).to_have_attribute(
        "value", str(USED_BYTES)
    )
    assert await serious_violations(page) == []

    # when: the member asks for a visit with neither a reason nor a time window
    appointments = page.get_by_role("region", name="Appointments")
    reason = appointments.get_by_label("Reason")
    window = appointments.get_by_role("group", name="Time window")
    await appointments.get_by_role("button", name="Schedule appointment").click()
    # then: both refused, each at its field
    await expect_refused(reason, "Tell us what the technician should look at.")
    await expect(window).to_have_accessible_description("Choose a time window.")
    # when: a reason, but still no window
    await reason.fill("Wi-Fi drops every evening")
    await appointments.get_by_role("button", name="Schedule appointment").click()
    # then: only the window is refused. Its words are the same as before: what shows this is the new check
    # of the form is the reason's mark going, which that check clears in the same update
    await expect(reason).not_to_have_attribute("aria-invalid", "true")
    await expect(window).to_have_accessible_description("Choose a time window.")
    await expect(appointments.get_by_text("No appointment booked.")).to_be_visible()

    # when: they choose the next day's first window (today's may pass meanwhile) and book it
    await appointments.get_by_label("Day").select_option(index=1)
    first_window = window.get_by_role("radio").first
    chosen = (await first_window.locator("xpath=..").inner_text()).strip()
    await first_window.check()
    await appointments.get_by_role("button", name="Schedule appointment").click()
    # then: booked, said in words, listed with its reason; the household is told by e-mail
    await expect(appointments.get_by_role("status")).to_contain_text("Your appointment is booked for")
    await expect(appointments.get_by_role("status")).to_contain_text(chosen)
    booked = appointments.get_by_role("listitem").filter(has_text="Wi-Fi drops every evening")
    await expect(booked).to_contain_text(chosen)
    await expect(reason).to_have_value("")
    assert len(await portal.mail_to(household.email, "Your appointment is booked")) == 1
    # and: the overview shows it as the next appointment, also after a reload
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Account overview").click()
    next_visit = page.get_by_role("region", name="Next appointment")
    await expect(next_visit).to_contain_text("Wi-Fi drops every evening")
    await expect(next_visit).to_contain_text(chosen)
    await page.reload()
    await expect(next_visit).to_contain_text("Wi-Fi drops every evening")
    await expect(next_visit).to_contain_text(chosen)

    # when: they cancel it on Services
    await page.goto("/services")
    await appointments.get_by_role("button", name="Cancel appointment").click()
    # then: cancelled, said in words; no visit booked any more, on Services and on the overview
    await expect(appointments.get_by_role("status")).to_contain_text("is cancelled")
    await expect(appointments.get_by_text("No appointment booked.")).to_be_visible()
    await expect(appointments.get_by_role("button", name="Cancel appointment")).to_have_count(0)
    assert len(await portal.mail_to(household.email, "Your appointment is cancelled")) == 1
    await page.goto("/")
    await expect(page.get_by_role("region", name="Next appointment")).to_contain_text("No appointment booked")

    # when: the member reports an outage without saying what is wrong
    await page.goto("/services")
    outage = page.get_by_role("region", name="Report an outage")
    await expect(outage.get_by_label("Service")).to_have_value(household.service_id)
    description = outage.get_by_label("Description")
    await outage.get_by_role("button", name="Report outage").click()
    # then: refused at the description, and nothing was sent
    await expect_refused(description, "Tell us what is not working.")
    await expect(outage.get_by_role("status")).to_have_count(0)
    # when: with a description
    await description.fill("No internet at all since this morning; the router's light is red.")
    await outage.get_by_role("button", name="Report outage").click()
    # then: confirmed in words, and the report reached the gateway (its acknowledgement e-mail)
    await expect(outage.get_by_role("status")).to_contain_text("we have your outage report")
    await expect(description).to_have_value("")
    (acknowledged,) = await portal.mail_to(household.email, f"We received your outage report for {PLAN}")
    assert "is not working" in body_of(acknowledged)
    assert await serious_violations(page) == []
