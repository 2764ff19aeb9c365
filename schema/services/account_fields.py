"""Account's services fields: services, appointments. AccountType inherits them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.access import Permission
from models.accounts.models import Account
from models.db.clock import utcnow
from models.services.appointments import WINDOW, open_windows
from schema.errors import bad_input
from schema.permissions import Info, IsCaller, Requires
from schema.services.types import AppointmentType, ServiceType

DEFAULT_WINDOW_DAYS = 14
MAX_WINDOW_DAYS = 60


@strawberry.type(description="A time a technician can visit: pass `startsAt` to scheduleAppointment.")
class AppointmentWindow:
    starts_at: datetime
    ends_at: datetime


@strawberry.type(name="AccountServiceFields")
class ServiceFields:
    model: strawberry.Private[Account]

    @strawberry.field(permission_classes=[IsCaller])
    async def services(self, info: Info) -> list[ServiceType] | None:
        services = await info.context.loaders.services_by_account.load(self.model.id)
        return [ServiceType(model=service) for service in services]

    @strawberry.field(
        permission_classes=[Requires(Permission.MANAGE_SERVICES)],
        description="The two-hour windows a technician can visit in the next `days` days (1 to "
        f"{MAX_WINDOW_DAYS}) of the account's calendar, soonest first, but those the account has booked: "
        "what scheduleAppointment accepts.",
    )
    async def appointment_windows(
        self, info: Info, days: int = DEFAULT_WINDOW_DAYS
    ) -> list[AppointmentWindow] | None:
        if not 1 <= days <= MAX_WINDOW_DAYS:
            raise bad_input(f"`days` must be between 1 and {MAX_WINDOW_DAYS}.")
        appointments = await info.context.loaders.appointments_by_account.load(self.model.id)
        booked = {appointment.booked_window for appointment in appointments}
        return [
            AppointmentWindow(starts_at=start, ends_at=start + WINDOW)
            for start in open_windows(self.model, utcnow(), days)
            if start not in booked
        ]

    @strawberry.field(permission_classes=[Requires(Permission.MANAGE_SERVICES)], description="Soonest first.")
    async def appointments(self, info: Info) -> list[AppointmentType] | None:
        appointments = await info.context.loaders.appointments_by_account.load(self.model.id)
        return [AppointmentType(model=appointment) for appointment in appointments]
