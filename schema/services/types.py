"""Service, DataUsage and Appointment types."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models.access import Permission
from models.db.clock import utcnow
from models.services.appointments import Appointment
from models.services.models import Service
from models.services.usage import period_start_of
from schema.billing.types import MoneyType, money
from schema.ids import to_global_id
from schema.node import Node
from schema.permissions import Info, Requires


@strawberry.type(name="DataUsage")
class DataUsageType:
    period_start: date
    # Float: byte counts outgrow GraphQL's 32-bit Int.
    used_bytes: float
    allowance_bytes: float | None


@strawberry.type(name="Service")
class ServiceType(Node):
    model: strawberry.Private[Service]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Service", self.model.id))

    @strawberry.field(description="INTERNET, TV, PHONE, ...")
    def kind(self) -> str:
        return self.model.kind

    @strawberry.field
    def plan(self) -> str:
        return self.model.plan

    @strawberry.field
    def monthly_price(self) -> MoneyType:
        return money(self.model.monthly_price)

    @strawberry.field(
        permission_classes=[Requires(Permission.MANAGE_SERVICES)],
        description="This billing period's usage; null for services without metering.",
    )
    async def data_usage(self, info: Info) -> DataUsageType | None:
        allowance = self.model.allowance_bytes
        if allowance is None:
            return None
        loaders = info.context.loaders
        account = await loaders.account_by_id.load(self.model.account_id)
        if account is None:
            return None
        start = period_start_of(account, utcnow())
        row = await loaders.usage_by_service_period.load((self.model.id, start))
        return DataUsageType(
            period_start=start,
            used_bytes=float(row.used_bytes if row else 0),
            allowance_bytes=float(allowance),
        )


@strawberry.type(name="Appointment")
class AppointmentType(Node):
    model: strawberry.Private[Appointment]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Appointment", self.model.id))

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.model.starts_at

    @strawberry.field
    def ends_at(self) -> datetime:
        return self.model.ends_at

    @strawberry.field
    def reason(self) -> str:
        return self.model.reason

    @strawberry.field(description="SCHEDULED, CANCELLED, DONE")
    def status(self) -> str:
        return str(self.model.status)
