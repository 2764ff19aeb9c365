"""scheduleAppointment, cancelAppointment, Account.appointments (MANAGE_SERVICES) and the reminders."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.access import Permission, Role
from models.accounts.models import Account
from models.activity import ActivityEvent
from models.db.clock import utcnow
from models.notify.outbox import OutboxMessage
from models.services.appointments import (
    Appointment,
    AppointmentStatus,
    open_windows,
    send_reminders,
    window_problem,
)
from schema.ids import to_global_id
from tests.schema.services.common import ZONE, local_time, services_session
from tests.support import error_codes, gql, make_account

SCHEDULE = """
mutation($input: ScheduleAppointmentInput!) {
  scheduleAppointment(input: $input) {
    appointment { id startsAt endsAt reason status } errors { code field }
  }
}
"""
SCHEDULE_SAYING_WHY = """
mutation($input: ScheduleAppointmentInput!) {
  scheduleAppointment(input: $input) { appointment { id } errors { code field message } }
}
"""
CANCEL = """
mutation($id: ID!) { cancelAppointment(id: $id) { appointment { id status } errors { code field } } }
"""
APPOINTMENTS = "{ account { appointments { startsAt reason status } } }"


def schedule_input(days_ahead: int = 2, hour: int = 10, minute: int = 0, reason: str = "No signal") -> Any:
    return {"input": {"startsAt": local_time(days_ahead, hour, minute).isoformat(), "reason": reason}}


async def scheduled(client: httpx.AsyncClient, token: str, **kwargs: Any) -> dict[str, Any]:
    body = await gql(client, SCHEDULE, schedule_input(**kwargs), token=token)
    payload: dict[str, Any] = body["data"]["scheduleAppointment"]
    return payload


async def test_a_manager_schedules_a_window_and_the_household_is_told(client: httpx.AsyncClient) -> None:
    # given
    account, member, token = await services_session(client, role=Role.MANAGER)
    # when
    payload = await scheduled(client, token, hour=18)
    # then a two-hour window ending at 20:00
    assert payload["errors"] == []
    appointment = payload["appointment"]
    start = local_time(2, 18)
    assert appointment["status"] == "SCHEDULED"
    assert appointment["reason"] == "No signal"
    assert datetime.fromisoformat(appointment["startsAt"]) == start
    assert datetime.fromisoformat(appointment["endsAt"]) == start + timedelta(hours=2)
    [row] = await Appointment.all()
    assert row.starts_at == start
    assert row.ends_at == start + timedelta(hours=2)
    assert row.created_by_id == member.id
    assert appointment["id"] == to_global_id("Appointment", row.id)
    # and a confirmation went to the outbox, and the activity log has it
    [confirmation] = await OutboxMessage.filter(kind="APPOINTMENT")
    assert confirmation.recipient == member.email
    assert confirmation.subject == "Your appointment is booked"
    assert "18:00-20:00 (America/Chicago)" in confirmation.body
    assert confirmation.body.endswith("\n\nThe Smiths account\n")
    assert await ActivityEvent.filter(account_id=account.id, kind="APPOINTMENT_SCHEDULED").count() == 1


@pytest.mark.parametrize(
    ("when", "field"),
    [
        ({"days_ahead": -1, "hour": 10}, "startsAt"),  # past
        ({"days_ahead": 0, "hour": 0}, "startsAt"),  # today at midnight: past
        ({"days_ahead": 2, "hour": 7}, "startsAt"),  # before 08:00
        ({"days_ahead": 2, "hour": 19}, "startsAt"),  # would end at 21:00
        ({"days_ahead": 2, "hour": 22}, "startsAt"),  # night
        ({"days_ahead": 2, "hour": 10, "minute": 30}, "startsAt"),  # not on the hour
    ],
)
async def test_times_outside_the_rules_are_refused(
    client: httpx.AsyncClient, when: dict[str, int], field: str
) -> None:
    _, _, token = await services_session(client)
    payload = await scheduled(client, token, **when)
    assert payload == {"appointment": None, "errors": [{"code": "INVALID_TIME", "field": field}]}
    assert await Appointment.all().count() == 0
    assert await OutboxMessage.filter(kind="APPOINTMENT").count() == 0


async def test_the_utc_offset_of_the_input_is_honoured(client: httpx.AsyncClient) -> None:
    # given 10:00 in Chicago written as UTC
    _, _, token = await services_session(client)
    utc_start = local_time(2, 10).astimezone(UTC)
    # when
    body = await gql(
        client, SCHEDULE, {"input": {"startsAt": utc_start.isoformat(), "reason": "x"}}, token=token
    )
    # then it is accepted
    assert body["data"]["scheduleAppointment"]["errors"] == []


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
async def test_bad_reasons_are_refused(client: httpx.AsyncClient, reason: str) -> None:
    _, _, token = await services_session(client)
    payload = await scheduled(client, token, reason=reason)
    assert payload == {"appointment": None, "errors": [{"code": "INVALID_INPUT", "field": "reason"}]}


async def test_a_fourth_open_appointment_is_refused(client: httpx.AsyncClient) -> None:
    # given three open appointments and a cancelled one
    _, _, token = await services_session(client)
    for day in (2, 3, 4):
        assert (await scheduled(client, token, days_ahead=day))["errors"] == []
    # when
    fourth = await scheduled(client, token, days_ahead=5)
    # then
    assert fourth == {"appointment": None, "errors": [{"code": "TOO_MANY_APPOINTMENTS", "field": None}]}
    # and after a cancellation there is room again
    first = await Appointment.filter().order_by("id").first()
    assert first is not None
    body = await gql(client, CANCEL, {"id": to_global_id("Appointment", first.id)}, token=token)
    assert body["data"]["cancelAppointment"]["errors"] == []
    assert (await scheduled(client, token, days_ahead=5))["errors"] == []


async def test_four_concurrent_bookings_make_exactly_three(client: httpx.AsyncClient) -> None:
    # given
    _, _, token = await services_session(client)
    # when
    payloads = await asyncio.gather(*(scheduled(client, token, days_ahead=day) for day in (2, 3, 4, 5)))
    # then
    codes = sorted(error["code"] for payload in payloads for error in payload["errors"])
    assert codes == ["TOO_MANY_APPOINTMENTS"]
    assert await Appointment.filter(status=AppointmentStatus.SCHEDULED).count() == 3


async def test_a_window_the_account_has_booked_is_refused_until_it_is_cancelled(
    client: httpx.AsyncClient,
) -> None:
    # given a booked window
    _, _, token = await services_session(client)
    first = await scheduled(client, token, reason="No signal")
    assert first["errors"] == []
    # when it is booked again
    again = await gql(client, SCHEDULE_SAYING_WHY, schedule_input(reason="Still no signal"), token=token)
    # then refused at startsAt, in words, and nothing more was booked or sent
    assert again["data"]["scheduleAppointment"] == {
        "appointment": None,
        "errors": [
            {
                "code": "WINDOW_TAKEN",
                "field": "startsAt",
                "message": "Your account has this window booked already. Choose another time.",
            }
        ],
    }
    assert [row.reason for row in await Appointment.all()] == ["No signal"]
    assert await OutboxMessage.filter(kind="APPOINTMENT").count() == 1
    # when it is cancelled and booked again
    cancelled = await gql(client, CANCEL, {"id": first["appointment"]["id"]}, token=token)
    assert cancelled["data"]["cancelAppointment"]["errors"] == []
    rebooked = await scheduled(client, token, reason="Still no signal")
    # then it is booked
    assert rebooked["errors"] == []
    assert rebooked["appointment"]["status"] == "SCHEDULED"


async def test_two_concurrent_bookings_of_one_window_make_one(client: httpx.AsyncClient) -> None:
    # given two members of one household, signed in
    account, _, token = await services_session(client)
    _, _, partner = await services_session(client, role=Role.MANAGER, account=account, username="bob")
    # when each books the same window at once
    payloads = await asyncio.gather(
        scheduled(client, token, reason="No signal"), scheduled(client, partner, reason="No signal")
    )
    # then one booking, and one refusal that says the window is taken
    assert sorted(payload["errors"] for payload in payloads) == [
        [],
        [{"code": "WINDOW_TAKEN", "field": "startsAt"}],
    ]
    assert sorted(payload["appointment"] is None for payload in payloads) == [False, True]
    assert await Appointment.filter(status=AppointmentStatus.SCHEDULED).count() == 1


async def test_the_windows_offered_leave_out_those_the_account_has_booked(client: httpx.AsyncClient) -> None:
    # given a booked window
    _, _, token = await services_session(client)
    booked = (await scheduled(client, token))["appointment"]
    # when the windows are asked for
    body = await gql(client, WINDOWS, {"days": 4}, token=token)
    # then it is not among them, though the window before it is
    starts = [
        datetime.fromisoformat(window["startsAt"]) for window in body["data"]["account"]["appointmentWindows"]
    ]
    assert datetime.fromisoformat(booked["startsAt"]) not in starts
    assert local_time(2, 8) in starts
    # and once it is cancelled it is offered again
    assert (await gql(client, CANCEL, {"id": booked["id"]}, token=token))["data"]["cancelAppointment"][
        "errors"
    ] == []
    again = await gql(client, WINDOWS, {"days": 4}, token=token)
    assert local_time(2, 10) in [
        datetime.fromisoformat(window["startsAt"])
        for window in again["data"]["account"]["appointmentWindows"]
    ]


async def test_a_standard_member_may_not_schedule_or_list(client: httpx.AsyncClient) -> None:
    _, _, token = await services_session(client, role=Role.STANDARD)
    body = await gql(client, SCHEDULE, schedule_input(), token=token)
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None
    listing = await gql(client, APPOINTMENTS, token=token)
    assert error_codes(listing) == ["FORBIDDEN"]
    assert listing["errors"][0]["path"] == ["account", "appointments"]
    assert listing["data"]["account"]["appointments"] is None
    assert await Appointment.all().count() == 0


async def test_a_standard_member_granted_manage_services_may(client: httpx.AsyncClient) -> None:
    _, _, token = await services_session(client, role=Role.STANDARD, grants=(Permission.MANAGE_SERVICES,))
    assert (await scheduled(client, token))["errors"] == []


async def test_appointments_are_listed_soonest_first(client: httpx.AsyncClient) -> None:
    # given bookings made out of order, one cancelled, and another account's
    account, _, token = await services_session(client)
    for day in (4, 2, 3):
        assert (await scheduled(client, token, days_ahead=day, reason=f"day {day}"))["errors"] == []
    other = await make_account("The Joneses")
    await Appointment.create(
        account_id=other.id, starts_at=local_time(1, 9), ends_at=local_time(1, 11), reason="theirs"
    )
    # when
    body = await gql(client, APPOINTMENTS, token=token)
    # then
    assert "errors" not in body, body
    assert [a["reason"] for a in body["data"]["account"]["appointments"]] == ["day 2", "day 3", "day 4"]


async def test_cancel_refuses_foreign_unknown_and_cancelled_appointments(client: httpx.AsyncClient) -> None:
    # given
    account, _, token = await services_session(client)
    mine = (await scheduled(client, token))["appointment"]["id"]
    other = await make_account("The Joneses")
    theirs = await Appointment.create(
        account_id=other.id, starts_at=local_time(2, 9), ends_at=local_time(2, 11), reason="theirs"
    )
    # when / then
    done = await gql(client, CANCEL, {"id": mine}, token=token)
    assert done["data"]["cancelAppointment"] == {
        "appointment": {"id": mine, "status": "CANCELLED"},
        "errors": [],
    }
    assert await ActivityEvent.filter(account_id=account.id, kind="APPOINTMENT_CANCELLED").count() == 1
    for unknown in (to_global_id("Appointment", theirs.id), to_global_id("Appointment", 999), "nonsense"):
        body = await gql(client, CANCEL, {"id": unknown}, token=token)
        assert body["data"]["cancelAppointment"] == {
            "appointment": None,
            "errors": [{"code": "NOT_FOUND", "field": "id"}],
        }
    again = await gql(client, CANCEL, {"id": mine}, token=token)
    assert again["data"]["cancelAppointment"]["errors"] == [{"code": "INVALID_STATUS", "field": "id"}]
    assert (await Appointment.get(id=theirs.id)).status == AppointmentStatus.SCHEDULED


async def test_a_standard_member_may_not_cancel(client: httpx.AsyncClient) -> None:
    account, _, token = await services_session(client)
    mine = (await scheduled(client, token))["appointment"]["id"]
    _, _, kid = await services_session(client, role=Role.STANDARD, account=account, username="kid")
    body = await gql(client, CANCEL, {"id": mine}, token=kid)
    assert error_codes(body) == ["FORBIDDEN"]
    assert (await Appointment.get()).status == AppointmentStatus.SCHEDULED


async def test_the_reminder_goes_out_once_the_day_before(client: httpx.AsyncClient) -> None:
    # given one appointment starting in 20 hours and one in three days
    account, member, _ = await services_session(client)
    now = utcnow()
    soon = await Appointment.create(
        account_id=account.id,
        starts_at=now + timedelta(hours=20),
        ends_at=now + timedelta(hours=22),
        reason="a",
    )
    await Appointment.create(
        account_id=account.id,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        reason="b",
    )
    # when the job runs twice, also concurrently
    first = await asyncio.gather(send_reminders(now), send_reminders(now))
    second = await send_reminders(now + timedelta(hours=1))
    # then one reminder, for the appointment of tomorrow
    assert sorted(first) == [0, 1]
    assert second == 0
    [reminder] = await OutboxMessage.filter(kind="APPOINTMENT_REMINDER")
    assert reminder.recipient == member.email
    assert (await Appointment.get(id=soon.id)).reminded_at is not None


WINDOWS = "query($days: Int!) { account { appointmentWindows(days: $days) { startsAt endsAt } } }"


def test_the_windows_offered_are_the_future_two_hour_ones_in_the_accounts_calendar() -> None:
    # given: mid-afternoon in Chicago the day before the clocks go forward (2026-03-08)
    account = Account(time_zone="America/Chicago")
    now = datetime(2026, 3, 7, 15, 30, tzinfo=ZONE)
    # when
    starts = open_windows(account, now, days=2)
    # then: today's windows still ahead, then a whole day, each on its own day's offset
    assert [start.astimezone(ZONE).strftime("%d %H:%M %z") for start in starts] == [
        "07 16:00 -0600",
        "07 18:00 -0600",
        "08 08:00 -0500",
        "08 10:00 -0500",
        "08 12:00 -0500",
        "08 14:00 -0500",
        "08 16:00 -0500",
        "08 18:00 -0500",
    ]
    assert all(window_problem(account, start, now) is None for start in starts)
    # and: late in the evening nothing is left today
    assert open_windows(account, datetime(2026, 3, 7, 18, 0, 1, tzinfo=ZONE), days=1) == []


async def test_a_manager_books_one_of_the_windows_offered(client: httpx.AsyncClient) -> None:
    # given
    _, _, token = await services_session(client, role=Role.MANAGER)
    # when
    body = await gql(client, WINDOWS, {"days": 3}, token=token)
    # then: at least the two whole days ahead, two hours each, soonest first
    windows = body["data"]["account"]["appointmentWindows"]
    starts = [datetime.fromisoformat(window["startsAt"]) for window in windows]
    assert len(windows) >= 12
    assert starts == sorted(starts)
    assert all(
        datetime.fromisoformat(window["endsAt"]) - datetime.fromisoformat(window["startsAt"])
        == timedelta(hours=2)
        for window in windows
    )
    # when: the first is booked as given
    booking = await gql(
        client, SCHEDULE, {"input": {"startsAt": windows[0]["startsAt"], "reason": "x"}}, token=token
    )
    # then
    assert booking["data"]["scheduleAppointment"]["errors"] == []


@pytest.mark.parametrize("days", [0, -1, 61])
async def test_a_window_range_out_of_bounds_is_refused(client: httpx.AsyncClient, days: int) -> None:
    _, _, token = await services_session(client, role=Role.MANAGER)
    body = await gql(client, WINDOWS, {"days": days}, token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "between 1 and 60" in body["errors"][0]["message"]


async def test_a_standard_member_is_offered_no_windows(client: httpx.AsyncClient) -> None:
    _, _, token = await services_session(client, role=Role.STANDARD)
    body = await gql(client, WINDOWS, {"days": 3}, token=token)
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"]["account"]["appointmentWindows"] is None
