"""Services in Chromium: the metered service with this period's usage (fed by the operator's
`record-usage`), booking and cancelling a technician's visit, and reporting an outage; a window booked
in another tab refused in words, a long reason kept inside the page, and refusals gone after a later
success."""

from __future__ import annotations

import json
import re
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
    assert f"{PLAN} (Internet) is not working" in body_of(acknowledged)
    assert await serious_violations(page) == []
    # and: the overview's recent activity names the service's kind in words
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Account overview").click()
    activity = page.get_by_role("region", name="Recent activity")
    await expect(activity).to_contain_text(f"reported an outage of {PLAN} (Internet)")
    await expect(activity).not_to_contain_text("INTERNET")


async def test_a_window_booked_in_another_tab_is_refused_in_words_and_stale_errors_go(
    portal: Server, page: Page
) -> None:
    # given: a member with Services open in two tabs, the times said in the zone's everyday name
    household = await household_with_metered_internet(portal, "Ottilie")
    await page.goto("/sign-in")
    await sign_in(page, household.username, PASSWORD)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()
    await page.goto("/services")
    other_tab = await page.context.new_page()
    await other_tab.goto("/services")
    appointments = page.get_by_role("region", name="Appointments")
    stale = other_tab.get_by_role("region", name="Appointments")
    await expect(stale.get_by_role("group", name="Time window")).to_contain_text("Times are in Eastern Time.")

    # when: the first tab books the next day's first window with a reason of one long word
    long_reason = "x" * 300
    await appointments.get_by_label("Reason").fill(long_reason)
    await appointments.get_by_label("Day").select_option(index=1)
    first_window = appointments.get_by_role("group", name="Time window").get_by_role("radio").first
    chosen = (await first_window.locator("xpath=..").inner_text()).strip()
    await first_window.check()
    await appointments.get_by_role("button", name="Schedule appointment").click()
    # then: booked, and the reason wraps inside the page rather than widening it
    await expect(appointments.get_by_role("status")).to_contain_text("Your appointment is booked for")
    await expect(appointments.get_by_role("listitem").filter(has_text=long_reason)).to_contain_text(chosen)
    assert await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    # when: the other tab, which still offers that window, books it too
    await stale.get_by_label("Reason").fill("Wi-Fi drops every evening")
    await stale.get_by_label("Day").select_option(index=1)
    stale_window = stale.get_by_role("group", name="Time window")
    await stale_window.get_by_role("radio").first.check()
    await stale.get_by_role("button", name="Schedule appointment").click()
    # then: refused at the time window, in words; the tab now lists the booking and no longer offers it
    await expect(stale_window).to_have_accessible_description(
        "You have a visit booked in this time window already. Please choose another one."
    )
    await expect(stale.get_by_role("listitem").filter(has_text=long_reason)).to_contain_text(chosen)
    await expect(stale_window.get_by_role("radio").first.locator("xpath=..")).not_to_have_text(chosen)
    assert len(await portal.mail_to(household.email, "Your appointment is booked")) == 1

    # when: that tab reports an outage without a description (refused), then cancels the visit
    outage = other_tab.get_by_role("region", name="Report an outage")
    await outage.get_by_role("button", name="Report outage").click()
    await expect_refused(outage.get_by_label("Description"), "Tell us what is not working.")
    await stale.get_by_role("button", name="Cancel appointment").click()
    # then: the cancellation is confirmed, and neither earlier refusal stays on the page
    await expect(stale.get_by_role("status")).to_contain_text("is cancelled")
    await expect(other_tab.get_by_role("alert")).to_have_count(0)
    await expect(stale_window).not_to_have_accessible_description(re.compile("booked"))
    await expect(outage.get_by_label("Description")).not_to_have_attribute("aria-invalid", "true")
    assert await serious_violations(other_tab) == []
    await other_tab.close()
