"""Services mutations: scheduleAppointment, cancelAppointment, reportOutage (MANAGE_SERVICES)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.access import Permission
from models.services.appointments import cancel, schedule
from models.services.errors import AppointmentRefused, OutageRefused
from models.services.outages import report_outage
from schema.errors import UserError, refusal_error
from schema.ids import pk_of
from schema.permissions import Info, Requires, principal_of
from schema.security.types import OkPayload, ok, refused
from schema.services.types import AppointmentType

MANAGE_SERVICES = Requires(Permission.MANAGE_SERVICES)


@strawberry.input
class ScheduleAppointmentInput:
    starts_at: datetime
    reason: str


@strawberry.input
class ReportOutageInput:
    service_id: strawberry.ID
    description: str


@strawberry.type
class AppointmentPayload:
    appointment: AppointmentType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[MANAGE_SERVICES],
        description="A two-hour window starting on the hour, 08:00-20:00 in the account's time zone; a "
        "window the account has booked already is refused with WINDOW_TAKEN.",
    )
    async def schedule_appointment(self, info: Info, input: ScheduleAppointmentInput) -> AppointmentPayload:
        member = principal_of(info).member
        try:
            appointment = await schedule(
                member, input.starts_at, input.reason, ip_address=info.context.client.ip_address
            )
        except AppointmentRefused as error:
            return AppointmentPayload(errors=[refusal_error(error)])
        return AppointmentPayload(appointment=AppointmentType(model=appointment))

    @strawberry.mutation(permission_classes=[MANAGE_SERVICES])
    async def cancel_appointment(self, info: Info, id: strawberry.ID) -> AppointmentPayload:
        member = principal_of(info).member
        pk = pk_of(str(id), "Appointment")
        try:
            appointment = await cancel(member, pk, ip_address=info.context.client.ip_address)
        except AppointmentRefused as error:
            return AppointmentPayload(errors=[refusal_error(error)])
        return AppointmentPayload(appointment=AppointmentType(model=appointment))

    @strawberry.mutation(permission_classes=[MANAGE_SERVICES])
    async def report_outage(self, info: Info, input: ReportOutageInput) -> OkPayload:
        member, service_pk = principal_of(info).member, pk_of(str(input.service_id), "Service")
        try:
            await report_outage(
                member, service_pk, input.description, ip_address=info.context.client.ip_address
            )
        except OutageRefused as error:
            return refused(refusal_error(error))
        return ok()
