"""Services mutations: scheduleAppointment, cancelAppointment, reportOutage (MANAGE_SERVICES)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.access import Permission
from models.members.contact import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from models.services.appointments import cancel, schedule
from models.services.errors import AppointmentRefused
from models.services.models import Service
from models.services.outages import MAX_DESCRIPTION, report_outage
from schema.errors import ErrorCode, UserError, refusal_error, user_error
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
        description="A two-hour window starting on the hour, 08:00-20:00 in the account's time zone.",
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
        principal = principal_of(info)
        description = input.description.strip()
        if not 0 < len(description) <= MAX_DESCRIPTION:
            return refused(
                user_error(ErrorCode.INVALID_INPUT, f"Use 1 to {MAX_DESCRIPTION} characters.", "description")
            )
        if has_control_characters(description):
            return refused(user_error(ErrorCode.INVALID_INPUT, CONTROL_CHARACTERS_MESSAGE, "description"))
        pk = pk_of(str(input.service_id), "Service")
        service = await Service.get_or_none(id=pk, account_id=principal.account_id) if pk else None
        if service is None:
            return refused(user_error(ErrorCode.NOT_FOUND, "No such service on this account.", "serviceId"))
        await report_outage(principal.member, service, description, ip_address=info.context.client.ip_address)
        return ok()
