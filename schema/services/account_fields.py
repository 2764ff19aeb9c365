"""Account's services fields: services, appointments. AccountType inherits them."""

from __future__ import annotations

import strawberry

from models.access import Permission
from models.accounts import Account
from schema.permissions import Info, IsCaller, Requires
from schema.services.types import AppointmentType, ServiceType


@strawberry.type(name="AccountServiceFields")
class ServiceFields:
    model: strawberry.Private[Account]

    @strawberry.field(permission_classes=[IsCaller])
    async def services(self, info: Info) -> list[ServiceType] | None:
        services = await info.context.loaders.services_by_account.load(self.model.id)
        return [ServiceType(model=service) for service in services]

    @strawberry.field(permission_classes=[Requires(Permission.MANAGE_SERVICES)], description="Soonest first.")
    async def appointments(self, info: Info) -> list[AppointmentType] | None:
        appointments = await info.context.loaders.appointments_by_account.load(self.model.id)
        return [AppointmentType(model=appointment) for appointment in appointments]
