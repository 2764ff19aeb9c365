"""Technician appointments: two-hour windows in business hours, a confirmation, a reminder the day before."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import activity
from models.access import Permission
from models.accounts.models import Account
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import notify_account
from models.services.errors import AppointmentRefused, Refusal, appointment_not_found

if TYPE_CHECKING:
    from models.members.models import Member

WINDOW_HOURS = 2
WINDOW = timedelta(hours=WINDOW_HOURS)
OPENS_AT_HOUR = 8
CLOSES_AT_HOUR = 20
MAX_OPEN = 3
MAX_REASON = 500
REMINDER_LEAD = timedelta(hours=24)
WINDOW_TAKEN_MESSAGE = "Your account has this window booked already. Choose another time."


class AppointmentStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"
    DONE = "DONE"


class Appointment(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="appointments", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    reason = fields.CharField(max_length=MAX_REASON)
    status = fields.CharEnumField(AppointmentStatus, max_length=16, default=AppointmentStatus.SCHEDULED)
    created_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    created_by_id: int | None
    # starts_at while the appointment holds its window (SCHEDULED), null once it is cancelled: unique per
    # account, so the database books an account's window once, however many requests race for it.
    booked_window = fields.DatetimeField(null=True)
    # Set once by the reminder run's conditional UPDATE, so a reminder goes out once.
    reminded_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "appointment"
        indexes = (("status", "starts_at"),)
        unique_together = (("account", "booked_window"),)


def window_problem(account: Account, starts_at: datetime, now: datetime) -> str | None:
    """Why a window starting at `starts_at` cannot be booked, or None when it can."""
    local_start = starts_at.astimezone(ZoneInfo(account.time_zone))
    local_end = (starts_at + WINDOW).astimezone(ZoneInfo(account.time_zone))
    if (local_start.minute, local_start.second, local_start.microsecond) != (0, 0, 0):
        return "Appointments start on the hour."
    if starts_at <= now:
        return "Choose a time in the future."
    closes = local_start.replace(hour=CLOSES_AT_HOUR)
    if local_start.hour < OPENS_AT_HOUR or local_end > closes or local_end.date() != local_start.date():
        return (
            f"Technicians visit between {OPENS_AT_HOUR:02d}:00 and {CLOSES_AT_HOUR:02d}:00 "
            f"({account.time_zone}); the two-hour window must end by {CLOSES_AT_HOUR:02d}:00."
        )
    return None


def open_windows(account: Account, now: datetime, days: int) -> list[datetime]:
    """The starts of the windows offered in the account's next `days` calendar days, soonest first: every
    two hours from opening, each one `window_problem` accepts (the future ones, on the hour)."""
    zone = ZoneInfo(account.time_zone)
    today = now.astimezone(zone).date()
    starts = (
        datetime.combine(today + timedelta(days=offset), time(hour), tzinfo=zone).astimezone(UTC)
        for offset in range(days)
        for hour in range(OPENS_AT_HOUR, CLOSES_AT_HOUR, WINDOW_HOURS)
    )
    return [start for start in starts if window_problem(account, start, now) is None]


def describe_window(account: Account, appointment: Appointment) -> str:
    zone = ZoneInfo(account.time_zone)
    start = appointment.starts_at.astimezone(zone)
    end = appointment.ends_at.astimezone(zone)
    return f"{start:%A %d %B %Y}, {start:%H:%M}-{end:%H:%M} ({account.time_zone})"


async def schedule(
    member: Member, starts_at: datetime, reason: str, *, ip_address: str | None = None
) -> Appointment:
    """Book a window for the member's account, once: a window it holds already is refused (WINDOW_TAKEN) by
    the unique booked_window, also when two requests race for it. Raises AppointmentRefused."""
    reason = reason.strip()
    if not 0 < len(reason) <= MAX_REASON:
        raise AppointmentRefused(Refusal.INVALID_INPUT, f"Use 1 to {MAX_REASON} characters.", "reason")
    if has_control_characters(reason):
        raise AppointmentRefused(Refusal.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "reason")
    if starts_at.tzinfo is None:
        raise AppointmentRefused(Refusal.INVALID_TIME, "Give the time with its UTC offset.", "startsAt")
    account_id = member.account_id
    now = utcnow()
    async with in_transaction() as connection:
        # The account row lock serialises bookings, so the open-appointment limit holds under concurrency.
        account = await Account.select_for_update().using_db(connection).get(id=account_id)
        problem = window_problem(account, starts_at, now)
        if problem:
            raise AppointmentRefused(Refusal.INVALID_TIME, problem, "startsAt")
        open_count = (
            await Appointment.filter(
                account_id=account_id, status=AppointmentStatus.SCHEDULED, starts_at__gt=now
            )
            .using_db(connection)
            .count()
        )
        if open_count >= MAX_OPEN:
            raise AppointmentRefused(
                Refusal.TOO_MANY_APPOINTMENTS, f"An account may have at most {MAX_OPEN} open appointments."
            )
        try:
            appointment = await Appointment.create(
                account_id=account_id,
                starts_at=starts_at,
                ends_at=starts_at + WINDOW,
                reason=reason,
                created_by_id=member.id,
                booked_window=starts_at,
                using_db=connection,
            )
        except IntegrityError:
            raise AppointmentRefused(Refusal.WINDOW_TAKEN, WINDOW_TAKEN_MESSAGE, "startsAt") from None
        window = describe_window(account, appointment)
        await activity.record_by(
            member,
            ActivityKind.APPOINTMENT_SCHEDULED,
            f"{member.display_name} scheduled an appointment for {window}",
            ip_address=ip_address,
            using_db=connection,
        )
        await _tell(account, "Your appointment is booked", f"A technician will visit {window}.", connection)
    return appointment


async def cancel(member: Member, appointment_id: int | None, *, ip_address: str | None = None) -> Appointment:
    """Cancel a SCHEDULED appointment of the member's account that has not started."""
    if appointment_id is None:
        raise appointment_not_found()
    account_id = member.account_id
    appointment = await Appointment.get_or_none(id=appointment_id, account_id=account_id)
    if appointment is None:
        raise appointment_not_found()
    async with in_transaction() as connection:
        updated = (
            await Appointment.filter(
                id=appointment.id, status=AppointmentStatus.SCHEDULED, starts_at__gt=utcnow()
            )
            .using_db(connection)
            .update(status=AppointmentStatus.CANCELLED, booked_window=None)
        )
        if updated != 1:
            raise AppointmentRefused(
                Refusal.INVALID_STATUS,
                "Only a scheduled appointment that has not started can be cancelled.",
                "id",
            )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.booked_window = None
        account = await Account.filter(id=account_id).using_db(connection).get()
        window = describe_window(account, appointment)
        await activity.record_by(
            member,
            ActivityKind.APPOINTMENT_CANCELLED,
            f"{member.display_name} cancelled the appointment of {window}",
            ip_address=ip_address,
            using_db=connection,
        )
        await _tell(
            account, "Your appointment is cancelled", f"The visit of {window} is cancelled.", connection
        )
    return appointment


async def send_reminders(now: datetime | None = None, *, batch_size: int = 500) -> int:
    """Remind the households of the appointments starting within the next 24 hours, each once.
    Returns how many reminders this run sent."""
    now = now or utcnow()
    due = Appointment.filter(
        status=AppointmentStatus.SCHEDULED,
        reminded_at=None,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_LEAD,
    )
    sent = 0
    after = 0
    while appointments := await due.filter(id__gt=after).order_by("id").limit(batch_size):
        after = appointments[-1].id
        account_ids = {a.account_id for a in appointments}
        accounts = {account.id: account for account in await Account.filter(id__in=account_ids)}
        for appointment in appointments:
            account = accounts[appointment.account_id]
            async with in_transaction() as connection:
                claimed = (
                    await Appointment.filter(id=appointment.id, reminded_at=None)
                    .using_db(connection)
                    .update(reminded_at=now)
                )
                if claimed != 1:
                    continue
                window = describe_window(account, appointment)
                await _tell(
                    account,
                    "Reminder: your technician visit is coming up",
                    f"A technician will visit {window}.",
                    connection,
                    kind=MessageKind.APPOINTMENT_REMINDER,
                )
            sent += 1
    return sent


async def _tell(
    account: Account,
    subject: str,
    sentence: str,
    connection: BaseDBAsyncClient,
    *,
    kind: MessageKind = MessageKind.APPOINTMENT,
) -> None:
    text = messages.Text(
        subject=subject, body=f"Hello,\n\n{sentence}\n\n{messages.the_account(account.name, capital=True)}\n"
    )
    await notify_account(
        account.id,
        "serviceChanges",
        Permission.MANAGE_SERVICES,
        text,
        kind,
        sms_body=f"{subject}: {sentence}",
        using_db=connection,
    )
