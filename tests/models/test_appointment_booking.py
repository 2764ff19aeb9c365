"""Booking a window as a domain operation: an account holds a window once, by the database's unique
(account, booked_window), whether the second booking comes after the first or races it; a cancelled
appointment lets the window go, and another account's booking of the same hour is its own."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from tortoise.exceptions import IntegrityError

from models.access import Role
from models.db.clock import utcnow
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from models.services.appointments import WINDOW, Appointment, AppointmentStatus, cancel, schedule
from models.services.errors import AppointmentRefused, Refusal
from tests.support import make_account, make_member

# tests.support.make_account gives every account this time zone.
ZONE = ZoneInfo("America/Chicago")
TAKEN = (
    Refusal.WINDOW_TAKEN,
    "Your account has this window booked already. Choose another time.",
    "startsAt",
)


def ten_oclock_in_two_days() -> datetime:
    day = utcnow().astimezone(ZONE).date() + timedelta(days=2)
    return datetime.combine(day, time(10), tzinfo=ZONE)


async def primary(username: str = "alice", account_name: str = "The Smiths") -> Member:
    return await make_member(await make_account(account_name), username, role=Role.PRIMARY)


async def test_the_database_refuses_a_second_row_holding_an_accounts_window() -> None:
    # given an appointment holding a window
    member = await primary()
    starts_at = ten_oclock_in_two_days()
    await Appointment.create(
        account_id=member.account_id, starts_at=starts_at, ends_at=starts_at + WINDOW, reason="a",
        booked_window=starts_at,
    )  # fmt: skip
    # when another row of the account claims it, written as the same instant in UTC
    with pytest.raises(IntegrityError):
        await Appointment.create(
            account_id=member.account_id, starts_at=starts_at, ends_at=starts_at + WINDOW, reason="b",
            booked_window=starts_at.astimezone(ZoneInfo("UTC")),
        )  # fmt: skip
    # then only the first is there
    assert [row.reason for row in await Appointment.all()] == ["a"]


async def test_booking_a_booked_window_again_is_refused_and_changes_nothing() -> None:
    # given a booked window
    member = await primary()
    first = await schedule(member, ten_oclock_in_two_days(), "No signal")
    # when the same account books it again
    with pytest.raises(AppointmentRefused) as refused:
        await schedule(member, ten_oclock_in_two_days(), "Still no signal")
    # then refused at the time, with one appointment and one confirmation
    assert (refused.value.reason, refused.value.message, refused.value.field) == TAKEN
    [row] = await Appointment.all()
    assert (row.id, row.status, row.booked_window) == (first.id, AppointmentStatus.SCHEDULED, first.starts_at)
    assert await OutboxMessage.filter(kind="APPOINTMENT").count() == 1


async def test_two_concurrent_bookings_of_one_window_make_one() -> None:
    # given two members of one household
    member = await primary()
    partner = await make_member(await member.account, "bob", role=Role.MANAGER)
    # when both book the same window at once
    outcomes = await asyncio.gather(
        schedule(member, ten_oclock_in_two_days(), "No signal"),
        schedule(partner, ten_oclock_in_two_days(), "No signal either"),
        return_exceptions=True,
    )
    # then one is booked and the other refused
    booked = [outcome for outcome in outcomes if isinstance(outcome, Appointment)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, AppointmentRefused)]
    assert len(booked) == 1
    assert [(error.reason, error.message, error.field) for error in refused] == [TAKEN]
    assert await Appointment.filter(status=AppointmentStatus.SCHEDULED).count() == 1
    # and the household heard of one booking: one confirmation to each of its two members
    confirmations = await OutboxMessage.filter(kind="APPOINTMENT")
    assert sorted(message.recipient for message in confirmations) == sorted([member.email, partner.email])


async def test_a_cancelled_appointment_lets_its_window_be_booked_again() -> None:
    # given a window booked, then cancelled
    member = await primary()
    first = await schedule(member, ten_oclock_in_two_days(), "No signal")
    await cancel(member, first.id)
    # when it is booked again
    second = await schedule(member, ten_oclock_in_two_days(), "No signal after all")
    # then the new appointment holds it and the cancelled one nothing
    assert (await Appointment.get(id=first.id)).booked_window is None
    assert (await Appointment.get(id=second.id)).booked_window == ten_oclock_in_two_days()


async def test_another_account_books_the_same_hour_for_itself() -> None:
    # given one household's booking
    await schedule(await primary(), ten_oclock_in_two_days(), "No signal")
    # when another household books the same hour
    neighbour = await primary("carol", "The Joneses")
    theirs = await schedule(neighbour, ten_oclock_in_two_days(), "Slow Wi-Fi")
    # then both are booked
    assert theirs.account_id == neighbour.account_id
    assert await Appointment.filter(status=AppointmentStatus.SCHEDULED).count() == 2
