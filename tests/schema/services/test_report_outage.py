"""reportOutage (MANAGE_SERVICES): one report per service and hour, confirmed by the reporter's channels."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from models.access import Role
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from models.services.outages import OutageReport
from schema.ids import to_global_id
from tests.schema.services.common import internet, services_session
from tests.support import error_codes, gql, make_account

REPORT = """
mutation($input: ReportOutageInput!) { reportOutage(input: $input) { ok errors { code field } } }
"""


def report_input(service_id: str, description: str = "No internet since noon") -> dict[str, object]:
    return {"input": {"serviceId": service_id, "description": description}}


async def test_a_report_is_recorded_confirmed_and_logged(client: httpx.AsyncClient) -> None:
    # given a member who wants outage news by e-mail and SMS
    account, member, token = await services_session(client, role=Role.MANAGER)
    member.phone, member.phone_confirmed = "+12025550143", True
    member.notification_preferences = {**member.notification_preferences, "outages": ["EMAIL", "SMS"]}
    await member.save()
    service = await internet(account)
    # when
    body = await gql(client, REPORT, report_input(to_global_id("Service", service.id)), token=token)
    # then
    assert body["data"]["reportOutage"] == {"ok": True, "errors": []}
    [report] = await OutageReport.all()
    assert (report.service_id, report.reported_by_id, report.duplicate_count) == (service.id, member.id, 0)
    assert report.description == "No internet since noon"
    messages = await OutboxMessage.filter(kind="OUTAGE_REPORTED").order_by("id")
    assert [(m.channel, m.recipient) for m in messages] == [("EMAIL", member.email), ("SMS", "+12025550143")]
    assert "that Gig (Internet) is not working" in messages[0].body
    [event] = await ActivityEvent.filter(account_id=account.id, kind="OUTAGE_REPORTED")
    assert event.summary == f"{member.display_name} reported an outage of Gig (Internet)"


async def test_the_confirmation_follows_the_reporters_preferences(client: httpx.AsyncClient) -> None:
    # given a member who chose SMS only, without a confirmed phone, and another member
    account, member, token = await services_session(client)
    await Member.filter(id=member.id).update(
        notification_preferences={**member.notification_preferences, "outages": ["SMS"]}
    )
    await services_session(client, role=Role.MANAGER, account=account, username="partner")
    service = await internet(account)
    # when
    body = await gql(client, REPORT, report_input(to_global_id("Service", service.id)), token=token)
    # then recorded, but nothing to send and nobody else told
    assert body["data"]["reportOutage"] == {"ok": True, "errors": []}
    assert await OutboxMessage.filter(kind="OUTAGE_REPORTED").count() == 0


async def test_reports_within_the_hour_collapse_into_the_first(client: httpx.AsyncClient) -> None:
    # given a report of an hour ago for one service and none for another
    account, _, token = await services_session(client)
    service, other = await internet(account), await internet(account)
    old = await OutageReport.create(service_id=service.id, account_id=account.id, description="old")
    await OutageReport.filter(id=old.id).update(created_at=utcnow() - timedelta(minutes=61))
    service_id = to_global_id("Service", service.id)
    # when five reports arrive at once, and one for the other service
    bodies = await asyncio.gather(
        *(gql(client, REPORT, report_input(service_id), token=token) for _ in range(5))
    )
    await gql(client, REPORT, report_input(to_global_id("Service", other.id)), token=token)
    # then one new report counts four duplicates
    assert all(body["data"]["reportOutage"]["errors"] == [] for body in bodies)
    reports = await OutageReport.filter(service_id=service.id).order_by("id")
    assert [(r.description, r.duplicate_count) for r in reports] == [
        ("old", 0),
        ("No internet since noon", 4),
    ]
    assert await OutageReport.filter(service_id=other.id).count() == 1
    assert await OutboxMessage.filter(kind="OUTAGE_REPORTED").count() == 6


async def test_unknown_and_foreign_services_are_not_found(client: httpx.AsyncClient) -> None:
    _, _, token = await services_session(client)
    foreign = await internet(await make_account("The Joneses"))
    for service_id in (to_global_id("Service", foreign.id), to_global_id("Service", 999), "garbage"):
        body = await gql(client, REPORT, report_input(service_id), token=token)
        assert body["data"]["reportOutage"] == {
            "ok": False,
            "errors": [{"code": "NOT_FOUND", "field": "serviceId"}],
        }
    assert await OutageReport.all().count() == 0


@pytest.mark.parametrize("description", ["", "  ", "x" * 1001])
async def test_bad_descriptions_are_refused(client: httpx.AsyncClient, description: str) -> None:
    account, _, token = await services_session(client)
    service = await internet(account)
    body = await gql(
        client, REPORT, report_input(to_global_id("Service", service.id), description), token=token
    )
    assert body["data"]["reportOutage"] == {
        "ok": False,
        "errors": [{"code": "INVALID_INPUT", "field": "description"}],
    }
    assert await OutageReport.all().count() == 0


async def test_a_standard_member_may_not_report(client: httpx.AsyncClient) -> None:
    account, _, token = await services_session(client, role=Role.STANDARD)
    service = await internet(account)
    body = await gql(client, REPORT, report_input(to_global_id("Service", service.id)), token=token)
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["reportOutage"]
    assert await OutageReport.all().count() == 0
