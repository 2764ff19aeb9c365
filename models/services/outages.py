"""Outage reports: one per service and hour; later reports of the hour count as duplicates of the first."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import activity
from models.accounts.models import Account
from models.activity import ActivityKind
from models.db.clock import utcnow
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from models.notify import messages
from models.notify.outbox import MessageKind
from models.notify.send import notify_member
from models.services.errors import OutageRefused, Refusal
from models.services.models import Service

if TYPE_CHECKING:
    from models.members.models import Member

MAX_DESCRIPTION = 1000
DUPLICATE_WINDOW = timedelta(hours=1)


class OutageReport(Model):
    id = fields.BigIntField(primary_key=True)
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "gateway.Service", related_name="outage_reports", on_delete=fields.CASCADE, db_index=True
    )
    service_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gateway.Account", related_name="outage_reports", on_delete=fields.CASCADE, db_index=True
    )
    account_id: int
    description = fields.TextField()
    reported_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gateway.Member", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    reported_by_id: int | None
    # Reports of the same service within the hour after this one, folded into it.
    duplicate_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outage_report"
        indexes = (("service_id", "created_at"),)


async def report_outage(
    member: Member, service_id: int | None, description: str, *, ip_address: str | None = None
) -> OutageReport:
    """Record the report of a service of the member's account (or count it on the service's report of the
    last hour) and confirm it to the member by their `outages` channels, all in one transaction; refused
    for a description that is empty, too long or holds control characters, or an unknown service."""
    description = description.strip()
    if not 0 < len(description) <= MAX_DESCRIPTION:
        raise OutageRefused(Refusal.INVALID_INPUT, f"Use 1 to {MAX_DESCRIPTION} characters.", "description")
    if has_control_characters(description):
        raise OutageRefused(Refusal.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "description")
    service = await Service.get_or_none(id=service_id, account_id=member.account_id) if service_id else None
    if service is None:
        raise OutageRefused(Refusal.NOT_FOUND, "No such service on this account.", "serviceId")
    now = utcnow()
    async with in_transaction() as connection:
        # The service row lock serialises reports of one service, so one hour gets one report row.
        await Service.select_for_update().using_db(connection).get(id=service.id)
        report = (
            await OutageReport.filter(service_id=service.id, created_at__gt=now - DUPLICATE_WINDOW)
            .using_db(connection)
            .order_by("created_at", "id")
            .first()
        )
        if report is None:
            report = await OutageReport.create(
                service_id=service.id,
                account_id=service.account_id,
                description=description,
                reported_by_id=member.id,
                using_db=connection,
            )
        else:
            await (
                OutageReport.filter(id=report.id)
                .using_db(connection)
                .update(duplicate_count=F("duplicate_count") + 1)
            )
        await activity.record_by(
            member,
            ActivityKind.OUTAGE_REPORTED,
            f"{member.display_name} reported an outage of {service.plan} ({service.kind_name})",
            ip_address=ip_address,
            using_db=connection,
        )
        subject = f"We received your outage report for {service.plan}"
        text = messages.Text(
            subject=subject,
            body=(
                f"Hello {member.display_name},\n\nThank you for telling us that {service.plan} "
                f"({service.kind_name}) is not working. Our technicians are looking into it; we will tell "
                "you when it is fixed.\n"
            ),
        )
        account = await Account.get(id=service.account_id, using_db=connection)
        await notify_member(
            member,
            "outages",
            text,
            MessageKind.OUTAGE_REPORTED,
            time_zone=account.time_zone,
            sms_body=subject + ".",
            using_db=connection,
        )
    return report
