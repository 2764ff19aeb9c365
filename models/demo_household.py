"""The demo household's year, so that the portal opens on something to see: internet and TV, twelve
monthly statements (the latest open, so there is a balance and a next payment), manual then autopay
payments, a card and a bank account, usage near the allowance, appointments and a history of activity.

Written as rows with their dates in the past, as the billing cycle, the payments and the members would
have left them, but without sending the messages they sent at the time."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.accounts.models import Account
from models.activity import ActivityEvent, ActivityKind
from models.billing.charge import describe_method
from models.billing.models import (
    AutopayEnrollment,
    PaymentMethod,
    PaymentSource,
    Statement,
    format_money,
)
from models.billing.statements import (
    account_today,
    month_before,
    one_off_key,
    regular_key,
    service_line_items,
)
from models.demo_rows import HOME_IP, MONTHS, PHONE_IP, Log, add_method, add_payment, add_statement, due_dates
from models.members.models import Member
from models.services.appointments import Appointment, AppointmentStatus, describe_window
from models.services.models import Service, ServiceKind
from models.services.usage import DataUsage, UsageAlert

AUTOPAY_FROM_MONTH = 4  # the first four statements were paid by hand, then autopay took over
AUTOPAY_CEILING = 25_000
ALLOWANCE_BYTES = 1_200_000_000_000  # 1.2 TB
USED_SHARE = 0.79
INSTALLATION = ("Professional installation", 4_999)
# The year's first statement: where it is, the year was written.
INSTALLATION_KEY = one_off_key(date.min, INSTALLATION[1], INSTALLATION[0], "demo-installation")


async def seed_year(account: Account, members: dict[str, Member]) -> bool:
    """Give the demo account its year, once: False (and nothing written) when it has it already, or when
    it has a life of its own (a demo database from before, where someone added services, statements, a
    payment method or autopay): the year is never written over what people did."""
    if await Statement.exists(account_id=account.id, issue_key=INSTALLATION_KEY):
        return False
    for model in (Service, Statement, PaymentMethod, AutopayEnrollment):
        if await model.exists(account_id=account.id):
            return False
    async with in_transaction() as connection:
        await _seed(account, members, connection)
    return True


async def _seed(account: Account, members: dict[str, Member], connection: BaseDBAsyncClient) -> None:
    zone = ZoneInfo(account.time_zone)
    dues = due_dates(account_today(account))

    def at(day: date, hour: int) -> datetime:
        """`hour` o'clock of that day in the household's time zone, in UTC as everything is stored."""
        return datetime.combine(day, time(hour), zone).astimezone(UTC)

    dana, morgan, sam = members["demo"], members["demo.manager"], members["demo.member"]
    start = month_before(dues[0])
    log = Log(account.id, [])
    # The household joined a year ago.
    await Account.filter(id=account.id).using_db(connection).update(created_at=at(start, 8))
    await Member.filter(account_id=account.id).using_db(connection).update(created_at=at(start, 8))
    await (
        ActivityEvent.filter(account_id=account.id, kind=ActivityKind.ACCOUNT_CREATED)
        .using_db(connection)
        .update(at=at(start, 8))
    )
    # Its periods start on the due dates' day, as the statements' do, so usage counts the open one.
    account.billing_day = dues[0].day
    await account.save(update_fields=["billing_day"], using_db=connection)
    services = [
        await Service.create(
            account_id=account.id,
            kind=ServiceKind.INTERNET,
            plan="Gig",
            monthly_price=7_999,
            allowance_bytes=ALLOWANCE_BYTES,
            created_at=at(start, 9),
            using_db=connection,
        ),
        await Service.create(
            account_id=account.id,
            kind="TV",
            plan="Select",
            monthly_price=5_999,
            created_at=at(start, 9),
            using_db=connection,
        ),
    ]
    installed = await Appointment.create(
        account_id=account.id,
        starts_at=at(start + timedelta(days=2), 10),
        ends_at=at(start + timedelta(days=2), 12),
        reason="Install internet and TV",
        status=AppointmentStatus.DONE,
        created_by_id=dana.id,
        reminded_at=at(start + timedelta(days=1), 10),
        created_at=at(start, 9),
        using_db=connection,
    )
    log.add(
        at(start, 9),
        ActivityKind.APPOINTMENT_SCHEDULED,
        f"{dana.display_name} scheduled an appointment for {describe_window(account, installed)}",
        dana,
        HOME_IP,
    )
    for member, invited in ((morgan, start + timedelta(days=3)), (sam, start + timedelta(days=5))):
        log.add(
            at(invited, 20),
            ActivityKind.MEMBER_INVITED,
            f"{dana.display_name} invited {member.display_name} as {member.role}",
            dana,
            HOME_IP,
        )
        log.add(
            at(invited + timedelta(days=1), 8),
            ActivityKind.MEMBER_ACTIVATED,
            f"{member.display_name} activated their membership as {member.username}",
            member,
            PHONE_IP,
        )
    card, bank = [
        await add_method(account, token, default, at(start + timedelta(days=4), 19), connection)
        for token, default in (("tok_visa", True), ("btok_checking", False))
    ]
    for method in (card, bank):
        log.add(
            method.created_at,
            ActivityKind.PAYMENT_METHOD_ADDED,
            f"{dana.display_name} added {describe_method(method)}",
            dana,
            HOME_IP,
        )

    lines = service_line_items(services)
    installation = await add_statement(
        account,
        INSTALLATION_KEY,
        dues[0],
        [INSTALLATION],
        log,
        connection,
    )
    await add_payment(
        account,
        installation,
        bank,
        PaymentSource.MANUAL,
        at(dues[0] - timedelta(days=4), 19),
        log,
        dana,
        connection,
    )
    for month, due in enumerate(dues):
        statement = await add_statement(account, regular_key(month_before(due)), due, lines, log, connection)
        if month == MONTHS - 1:
            break  # the latest stays open: the balance, and the payment autopay will make
        if month < AUTOPAY_FROM_MONTH:
            paid_at = at(due - timedelta(days=3), 20)
            log.add(
                paid_at - timedelta(minutes=4),
                ActivityKind.SIGN_IN,
                f"{dana.display_name} signed in (password)",
                dana,
                HOME_IP,
            )
            await add_payment(
                account,
                statement,
                card if month else bank,
                PaymentSource.MANUAL,
                paid_at,
                log,
                dana,
                connection,
            )
        else:
            await add_payment(
                account, statement, card, PaymentSource.AUTOPAY, at(due, 7), log, None, connection
            )
        if month == AUTOPAY_FROM_MONTH - 1:
            enrolled = at(due - timedelta(days=2), 21)
            await AutopayEnrollment.create(
                account_id=account.id,
                payment_method_id=card.id,
                max_amount=AUTOPAY_CEILING,
                created_at=enrolled,
                using_db=connection,
            )
            log.add(
                enrolled,
                ActivityKind.AUTOPAY_ENROLLED,
                f"{dana.display_name} turned on autopay by {describe_method(card)}, 0 days before due,"
                f" up to {format_money(AUTOPAY_CEILING)}",
                dana,
                HOME_IP,
            )
        if month == 6:
            changed = at(due + timedelta(days=5), 12)
            morgan.notification_preferences = {**morgan.notification_preferences, "billing": []}
            await morgan.save(update_fields=["notification_preferences"], using_db=connection)
            log.add(
                changed - timedelta(minutes=2),
                ActivityKind.SIGN_IN,
                f"{morgan.display_name} signed in (password)",
                morgan,
                PHONE_IP,
            )
            log.add(
                changed,
                ActivityKind.NOTIFICATION_PREFERENCES_UPDATED,
                f"{morgan.display_name} changed their notification preferences",
                morgan,
                PHONE_IP,
            )

    now_start = month_before(dues[-1])
    await DataUsage.create(
        service_id=services[0].id,
        period_start=now_start,
        used_bytes=int(ALLOWANCE_BYTES * USED_SHARE),
        using_db=connection,
    )
    await UsageAlert.create(
        service_id=services[0].id,
        period_start=now_start,
        threshold=75,
        claim_token=secrets.token_hex(16),
        using_db=connection,
    )
    today = account_today(account)
    visit_day = next(
        today + timedelta(days=n) for n in range(3, 6) if (today + timedelta(days=n)).weekday() < 5
    )
    visit = await Appointment.create(
        account_id=account.id,
        starts_at=at(visit_day, 10),
        ends_at=at(visit_day, 12),
        reason="Install a second TV receiver in the bedroom",
        created_by_id=dana.id,
        booked_window=at(visit_day, 10),
        created_at=at(today - timedelta(days=2), 18),
        using_db=connection,
    )
    for member, day, ip in ((sam, 6, PHONE_IP), (dana, 2, HOME_IP), (morgan, 1, PHONE_IP)):
        log.add(
            at(today - timedelta(days=day), 18) - timedelta(minutes=3),
            ActivityKind.SIGN_IN,
            f"{member.display_name} signed in (password)",
            member,
            ip,
        )
    log.add(
        visit.created_at,
        ActivityKind.APPOINTMENT_SCHEDULED,
        f"{dana.display_name} scheduled an appointment for {describe_window(account, visit)}",
        dana,
        HOME_IP,
    )
    await ActivityEvent.bulk_create(sorted(log.events, key=lambda event: event.at), using_db=connection)
    for member in (dana, morgan, sam):
        signed_in = max(
            e.at for e in log.events if e.kind == ActivityKind.SIGN_IN and e.actor_id == member.id
        )
        await Member.filter(id=member.id).using_db(connection).update(last_sign_in_at=signed_in)
