"""Metered data usage per billing period, fed by the metering systems, and the allowance alerts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.access import Permission
from models.accounts.models import Account, billing_period_start
from models.db.clock import utcnow
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import notify_account
from models.services.models import Service

# Percentages of the allowance at which the household is told, each once per period.
ALERT_THRESHOLDS = (75, 90, 100)
GIGABYTE = 1_000_000_000
# One record of a metering feed: a petabyte is far beyond any household's month.
MAX_RECORD_BYTES = 10**15


class UnknownService(LookupError):
    """No such service on that account."""


class DataUsage(Model):
    id = fields.BigIntField(primary_key=True)
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "gateway.Service", related_name="usage", on_delete=fields.CASCADE, db_index=True
    )
    service_id: int
    period_start = fields.DateField()
    used_bytes = fields.BigIntField(default=0)

    class Meta:
        table = "data_usage"
        unique_together = (("service", "period_start"),)


class UsageAlert(Model):
    """One allowance alert of one period, whose unique key makes sure it goes out once."""

    id = fields.BigIntField(primary_key=True)
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "gateway.Service", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    service_id: int
    period_start = fields.DateField()
    threshold = fields.SmallIntField()
    # Who inserted the row: of concurrent claims only the one whose token is stored sends.
    claim_token = fields.CharField(max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "usage_alert"
        unique_together = (("service", "period_start", "threshold"),)


@dataclass(frozen=True)
class UsageTotal:
    service: Service
    period_start: date
    used_bytes: int


def period_start_of(account: Account, at: datetime) -> date:
    """The first day of the billing period containing `at`: periods start on the account's billing day,
    counted in its time zone."""
    return billing_period_start(account, at.astimezone(ZoneInfo(account.time_zone)).date())


async def find_service(account_number: str, service_id: int) -> tuple[Account, Service]:
    """The account with that number and its service, or UnknownService."""
    service = await Service.filter(id=service_id, account__number=account_number).first()
    if service is None:
        raise UnknownService(f"account {account_number} has no service {service_id}")
    account = await Account.get(id=service.account_id)
    return account, service


async def record_usage(
    account_number: str, service_id: int, used_bytes: int, at: datetime | None = None
) -> UsageTotal:
    """Add `used_bytes` to the service's usage in the period containing `at` (default now), and send the
    allowance alerts the new total reaches that were not sent yet. Returns the period's new total."""
    if not 0 <= used_bytes <= MAX_RECORD_BYTES:
        raise ValueError(f"bytes must be 0 to {MAX_RECORD_BYTES}")
    account, service = await find_service(account_number, service_id)
    start = period_start_of(account, at or utcnow())
    async with in_transaction() as connection:
        # Insert-or-ignore, then one conditional UPDATE: concurrent records never lose an addition.
        await DataUsage.bulk_create(
            [DataUsage(service_id=service.id, period_start=start, used_bytes=0)],
            ignore_conflicts=True,
            using_db=connection,
        )
        await (
            DataUsage.filter(service_id=service.id, period_start=start)
            .using_db(connection)
            .update(used_bytes=F("used_bytes") + used_bytes)
        )
        row = await DataUsage.filter(service_id=service.id, period_start=start).using_db(connection).get()
        await _send_alerts(account, service, start, row.used_bytes, connection)
    return UsageTotal(service=service, period_start=start, used_bytes=row.used_bytes)


def reached_thresholds(used_bytes: int, allowance_bytes: int | None) -> list[int]:
    if not allowance_bytes or allowance_bytes <= 0:
        return []
    return [percent for percent in ALERT_THRESHOLDS if used_bytes * 100 >= allowance_bytes * percent]


async def _send_alerts(
    account: Account, service: Service, start: date, total: int, connection: BaseDBAsyncClient
) -> None:
    reached = reached_thresholds(total, service.allowance_bytes)
    if not reached:
        return
    claimed = await UsageAlert.filter(service_id=service.id, period_start=start).using_db(connection)
    sent = {alert.threshold for alert in claimed}
    for percent in reached:
        if percent not in sent and await _claim(service, start, percent, connection):
            text = _alert_text(account, service, percent, total)
            await notify_account(
                account.id,
                "serviceChanges",
                Permission.MANAGE_SERVICES,
                text,
                MessageKind.USAGE_ALERT,
                sms_body=text.subject,
                using_db=connection,
            )


async def _claim(service: Service, start: date, percent: int, connection: BaseDBAsyncClient) -> bool:
    """Insert-or-ignore the alert row, then read back whose token it holds."""
    token = secrets.token_hex(16)
    await UsageAlert.bulk_create(
        [UsageAlert(service_id=service.id, period_start=start, threshold=percent, claim_token=token)],
        ignore_conflicts=True,
        using_db=connection,
    )
    stored = (
        await UsageAlert.filter(service_id=service.id, period_start=start, threshold=percent)
        .using_db(connection)
        .get()
    )
    return stored.claim_token == token


def format_bytes(count: int) -> str:
    return f"{count / GIGABYTE:.1f} GB"


def _alert_text(account: Account, service: Service, percent: int, total: int) -> messages.Text:
    allowance = service.allowance_bytes or 0
    if percent >= 100:
        subject = f"You have used all of your {service.plan} data allowance"
    else:
        subject = f"You have used {percent}% of your {service.plan} data allowance"
    return messages.Text(
        subject=subject,
        body=(
            f"Hello,\n\n{messages.the_account(account.name, capital=True)} has used {format_bytes(total)} "
            f"of its {format_bytes(allowance)} monthly allowance on {service.plan} ({service.kind_name}).\n\n"
            "The allowance starts again on the next billing day.\n"
        ),
    )
