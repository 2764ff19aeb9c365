"""Load functions of the services domain (the Loaders dataclass in schema/loaders.py builds them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from models.services.appointments import Appointment
from models.services.models import Service
from models.services.usage import DataUsage

UsageKey = tuple[int, date]


async def services_by_account(ids: Sequence[int]) -> list[list[Service]]:
    services: dict[int, list[Service]] = defaultdict(list)
    for service in await Service.filter(account_id__in=set(ids)).order_by("id"):
        services[service.account_id].append(service)
    return [services[pk] for pk in ids]


async def usage_by_service_period(keys: Sequence[UsageKey]) -> list[DataUsage | None]:
    """The usage row of (service id, period start); one query for every key of the batch."""
    rows = await DataUsage.filter(
        service_id__in={service_id for service_id, _ in keys},
        period_start__in={start for _, start in keys},
    )
    found = {(row.service_id, row.period_start): row for row in rows}
    return [found.get(key) for key in keys]


async def appointments_by_account(ids: Sequence[int]) -> list[list[Appointment]]:
    """Each account's appointments, soonest first."""
    appointments: dict[int, list[Appointment]] = defaultdict(list)
    for row in await Appointment.filter(account_id__in=set(ids)).order_by("starts_at", "id"):
        appointments[row.account_id].append(row)
    return [appointments[pk] for pk in ids]
