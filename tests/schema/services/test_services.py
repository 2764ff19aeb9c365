"""Account.services (any member) and Service.dataUsage (MANAGE_SERVICES) of the current period."""

from __future__ import annotations

import httpx

from models.access import Permission, Role
from models.db.clock import utcnow
from models.services.models import Service
from models.services.usage import period_start_of, record_usage
from schema.ids import to_global_id
from tests.schema.services.common import GIGABYTE, internet, services_session
from tests.support import count_queries, error_codes, gql

SERVICES = """
{ account { services { id kind plan monthlyPrice { amount currency formatted }
  dataUsage { periodStart usedBytes allowanceBytes } } } }
"""
SERVICES_ONLY = "{ account { services { kind plan } } }"


async def test_a_manager_sees_services_and_this_periods_usage(client: httpx.AsyncClient) -> None:
    # given a metered internet service with usage, and an unmetered TV service
    account, _, token = await services_session(client, role=Role.MANAGER)
    service = await internet(account)
    await Service.create(account_id=account.id, kind="TV", plan="Basic", monthly_price=2000)
    await record_usage(account.number, service.id, 3 * GIGABYTE)
    await record_usage(account.number, service.id, 2 * GIGABYTE)
    # when
    body = await gql(client, SERVICES, token=token)
    # then
    assert "errors" not in body, body
    assert body["data"]["account"]["services"] == [
        {
            "id": to_global_id("Service", service.id),
            "kind": "INTERNET",
            "plan": "Gig",
            "monthlyPrice": {"amount": 7999, "currency": "USD", "formatted": "$79.99"},
            "dataUsage": {
                "periodStart": period_start_of(account, utcnow()).isoformat(),
                "usedBytes": 5.0 * GIGABYTE,
                "allowanceBytes": 1000.0 * GIGABYTE,
            },
        },
        {
            "id": body["data"]["account"]["services"][1]["id"],
            "kind": "TV",
            "plan": "Basic",
            "monthlyPrice": {"amount": 2000, "currency": "USD", "formatted": "$20.00"},
            "dataUsage": None,
        },
    ]


async def test_a_metered_service_without_records_shows_zero(client: httpx.AsyncClient) -> None:
    account, _, token = await services_session(client)
    await internet(account)
    body = await gql(client, SERVICES, token=token)
    assert "errors" not in body, body
    assert body["data"]["account"]["services"][0]["dataUsage"]["usedBytes"] == 0.0


async def test_a_standard_member_sees_services_but_not_usage(client: httpx.AsyncClient) -> None:
    # given a STANDARD member without MANAGE_SERVICES
    account, _, token = await services_session(client, role=Role.STANDARD)
    await internet(account)
    # when
    body = await gql(client, SERVICES, token=token)
    # then the list is there, dataUsage is null with FORBIDDEN at its path
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["account", "services", 0, "dataUsage"]
    assert body["data"]["account"]["services"][0]["dataUsage"] is None
    assert body["data"]["account"]["services"][0]["kind"] == "INTERNET"


async def test_a_standard_member_granted_manage_services_sees_usage(client: httpx.AsyncClient) -> None:
    account, _, token = await services_session(
        client, role=Role.STANDARD, grants=(Permission.MANAGE_SERVICES,)
    )
    await internet(account)
    body = await gql(client, SERVICES, token=token)
    assert "errors" not in body, body
    assert body["data"]["account"]["services"][0]["dataUsage"]["allowanceBytes"] == 1000.0 * GIGABYTE


async def test_services_need_a_session(client: httpx.AsyncClient) -> None:
    body = await gql(client, SERVICES_ONLY)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_usage_of_many_services_takes_a_fixed_number_of_queries(client: httpx.AsyncClient) -> None:
    # given one metered service, then seven
    account, _, token = await services_session(client)
    await internet(account)
    with count_queries() as one:
        await gql(client, SERVICES, token=token)
    for _ in range(6):
        service = await internet(account)
        await record_usage(account.number, service.id, GIGABYTE)
    # when
    with count_queries() as seven:
        body = await gql(client, SERVICES, token=token)
    # then the number of queries does not grow with the rows
    assert len(body["data"]["account"]["services"]) == 7
    assert len(seven) == len(one)
