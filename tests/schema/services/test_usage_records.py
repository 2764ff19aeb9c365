"""models.services.usage.record_usage (what `gateway record-usage` calls): records add up, each alert goes
out once."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime

import httpx
import pytest

from models.access import Role
from models.accounts.models import Account
from models.members.models import Member
from models.notify.outbox import OutboxMessage
from models.services.usage import DataUsage, UnknownService, UsageAlert, period_start_of, record_usage
from tests.schema.services.common import internet, services_session
from tests.support import make_account, make_member

RECORDS = 1000
BATCH = 50


async def test_a_thousand_concurrent_records_add_up_and_alert_once_each(client: httpx.AsyncClient) -> None:
    # given a primary (alerts by e-mail), a manager who turned serviceChanges off, a standard member
    account, primary, _ = await services_session(client)
    manager = await make_member(account, "partner", role=Role.MANAGER)
    await Member.filter(id=manager.id).update(
        notification_preferences={**manager.notification_preferences, "serviceChanges": []}
    )
    await make_member(account, "kid", role=Role.STANDARD)
    sizes = [random.randint(1, 1_000_000) for _ in range(RECORDS)]
    random.shuffle(sizes)
    total = sum(sizes)
    service = await internet(account, allowance=total * 95 // 100)
    # when the records arrive in concurrent batches
    for start in range(0, RECORDS, BATCH):
        await asyncio.gather(
            *(record_usage(account.number, service.id, size) for size in sizes[start : start + BATCH])
        )
    # then
    [usage] = await DataUsage.filter(service_id=service.id)
    assert usage.used_bytes == total
    assert sorted(await UsageAlert.filter(service_id=service.id).values_list("threshold", flat=True)) == [
        75,
        90,
        100,
    ]
    alerts = await OutboxMessage.filter(kind="USAGE_ALERT").order_by("id")
    assert [(m.recipient, m.subject) for m in alerts] == [
        (primary.email, "You have used 75% of your Gig data allowance"),
        (primary.email, "You have used 90% of your Gig data allowance"),
        (primary.email, "You have used all of your Gig data allowance"),
    ]
    assert "monthly allowance on Gig (Internet)." in alerts[0].body


async def test_records_go_to_the_period_of_their_time() -> None:
    # given an account billed on the 15th
    account = await make_account()
    await Account.filter(id=account.id).update(billing_day=15, time_zone="UTC")
    account = await Account.get(id=account.id)
    service = await internet(account)
    # when
    before = await record_usage(account.number, service.id, 10, datetime(2026, 3, 14, 23, 59, tzinfo=UTC))
    on = await record_usage(account.number, service.id, 20, datetime(2026, 3, 15, 0, 0, tzinfo=UTC))
    january = await record_usage(account.number, service.id, 5, datetime(2026, 1, 2, tzinfo=UTC))
    # then
    assert (before.period_start, before.used_bytes) == (date(2026, 2, 15), 10)
    assert (on.period_start, on.used_bytes) == (date(2026, 3, 15), 20)
    assert (january.period_start, january.used_bytes) == (date(2025, 12, 15), 5)
    assert await OutboxMessage.filter(kind="USAGE_ALERT").count() == 0


def test_periods_follow_the_accounts_time_zone() -> None:
    account = Account(billing_day=1, time_zone="America/Chicago")
    # 03:00 UTC on the 1st is still the last day of the month before in Chicago
    assert period_start_of(account, datetime(2026, 4, 1, 3, 0, tzinfo=UTC)) == date(2026, 3, 1)


async def test_an_unmetered_service_adds_up_without_alerts() -> None:
    account = await make_account()
    await make_member(account, "jane", role=Role.PRIMARY)
    service = await internet(account, allowance=None)
    await record_usage(account.number, service.id, 10**12)
    assert (await DataUsage.get(service_id=service.id)).used_bytes == 10**12
    assert await OutboxMessage.filter(kind="USAGE_ALERT").count() == 0


@pytest.mark.parametrize("wrong", ["other account", "unknown id"])
async def test_a_service_of_another_account_is_unknown(wrong: str) -> None:
    account = await make_account()
    other = await make_account("The Joneses")
    service = await internet(other)
    service_id = service.id if wrong == "other account" else 999
    with pytest.raises(UnknownService):
        await record_usage(account.number, service_id, 10)
    assert await DataUsage.all().count() == 0
