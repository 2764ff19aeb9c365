"""updateAccount: MANAGE_ACCOUNT only; a new service address needs a step-up; bad values change nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.access import Role
from models.accounts.models import Account
from models.activity import ActivityEvent
from tests.support import error_codes, gql, make_account, make_member, sign_in, step_up

UPDATE_ACCOUNT = """
mutation($input: UpdateAccountInput!) {
  updateAccount(input: $input) {
    account { name contactEmail timeZone serviceAddress { line1 line2 city region postalCode country } }
    errors { code field }
  }
}
"""
ADDRESS_QUERY = "{ account { serviceAddress { line1 city country } } }"
ADDRESS = {
    "line1": "12 Elm Street",
    "city": "Springfield",
    "region": "IL",
    "postalCode": "62701",
    "country": "US",
}


async def signed_in(client: httpx.AsyncClient, role: Role) -> tuple[Account, str]:
    account = await make_account()
    await make_member(account, "dave", role=role)
    return account, await sign_in(client, "dave")


async def test_manager_updates_name_contact_email_and_time_zone(client: httpx.AsyncClient) -> None:
    # given
    account, token = await signed_in(client, Role.MANAGER)
    # when
    body = await gql(
        client,
        UPDATE_ACCOUNT,
        {
            "input": {
                "name": " The Smith Family ",
                "contactEmail": "Bills@Example.COM",
                "timeZone": "Europe/Berlin",
            }
        },
        token=token,
    )
    # then
    assert body["data"]["updateAccount"] == {
        "account": {
            "name": "The Smith Family",
            "contactEmail": "Bills@example.com",
            "timeZone": "Europe/Berlin",
            "serviceAddress": None,
        },
        "errors": [],
    }
    stored = await Account.get(id=account.id)
    assert (stored.name, stored.contact_email, stored.time_zone) == (
        "The Smith Family",
        "Bills@example.com",
        "Europe/Berlin",
    )
    events = await ActivityEvent.filter(account_id=account.id, kind="ACCOUNT_UPDATED").values_list(
        "summary", flat=True
    )
    assert events == ["Dave changed the account's name, contact e-mail, time zone"]


async def test_standard_member_is_forbidden(client: httpx.AsyncClient) -> None:
    # given
    account, token = await signed_in(client, Role.STANDARD)
    # when
    body = await gql(client, UPDATE_ACCOUNT, {"input": {"name": "Hijacked"}}, token=token)
    # then
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None
    assert (await Account.get(id=account.id)).name == "The Smiths"


async def test_unauthenticated(client: httpx.AsyncClient) -> None:
    body = await gql(client, UPDATE_ACCOUNT, {"input": {"name": "Hijacked"}})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_service_address_needs_step_up(client: httpx.AsyncClient) -> None:
    # given
    account, token = await signed_in(client, Role.PRIMARY)
    # when
    body = await gql(client, UPDATE_ACCOUNT, {"input": {"serviceAddress": ADDRESS}}, token=token)
    # then
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    assert (await Account.get(id=account.id)).service_address is None
    assert not await ActivityEvent.filter(kind="ACCOUNT_UPDATED").exists()


async def test_service_address_after_step_up_is_stored_and_readable(client: httpx.AsyncClient) -> None:
    # given
    account, token = await signed_in(client, Role.PRIMARY)
    await step_up(client, token, "dave@example.com")
    # when
    body = await gql(
        client, UPDATE_ACCOUNT, {"input": {"serviceAddress": {**ADDRESS, "line2": "Apt 4"}}}, token=token
    )
    # then
    assert body["data"]["updateAccount"]["errors"] == []
    assert body["data"]["updateAccount"]["account"]["serviceAddress"] == {**ADDRESS, "line2": "Apt 4"}
    read = await gql(client, ADDRESS_QUERY, token=token)
    assert read == {
        "data": {
            "account": {"serviceAddress": {"line1": "12 Elm Street", "city": "Springfield", "country": "US"}}
        }
    }
    assert (await Account.get(id=account.id)).service_address == {**ADDRESS, "line2": "Apt 4"}
    assert await ActivityEvent.filter(account_id=account.id, kind="ACCOUNT_UPDATED").values_list(
        "summary", flat=True
    ) == ["Dave changed the account's service address"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"name": "  "}, "INVALID_INPUT", "name"),
        ({"name": "n" * 201}, "INVALID_INPUT", "name"),
        ({"contactEmail": "bills at example"}, "INVALID_EMAIL", "contactEmail"),
        ({"timeZone": "Mars/Olympus_Mons"}, "INVALID_TIME_ZONE", "timeZone"),
        ({"timeZone": ""}, "INVALID_TIME_ZONE", "timeZone"),
        ({"serviceAddress": {**ADDRESS, "country": "usa"}}, "INVALID_INPUT", "serviceAddress.country"),
        ({"serviceAddress": {**ADDRESS, "country": "us"}}, "INVALID_INPUT", "serviceAddress.country"),
        ({"serviceAddress": {**ADDRESS, "line1": " "}}, "INVALID_INPUT", "serviceAddress.line1"),
        ({"serviceAddress": {**ADDRESS, "city": "c" * 101}}, "INVALID_INPUT", "serviceAddress.city"),
        ({"serviceAddress": {**ADDRESS, "region": ""}}, "INVALID_INPUT", "serviceAddress.region"),
        ({"serviceAddress": {**ADDRESS, "postalCode": ""}}, "INVALID_INPUT", "serviceAddress.postalCode"),
        ({"serviceAddress": {**ADDRESS, "line2": "l" * 101}}, "INVALID_INPUT", "serviceAddress.line2"),
    ],
)
async def test_bad_values_change_nothing(
    client: httpx.AsyncClient, change: dict[str, Any], code: str, field: str
) -> None:
    # given: a stepped-up primary, so only the value itself can be refused
    account, token = await signed_in(client, Role.PRIMARY)
    await step_up(client, token, "dave@example.com")
    # when: a good name comes with the bad value
    body = await gql(client, UPDATE_ACCOUNT, {"input": {"name": "Renamed", **change}}, token=token)
    # then
    assert body["data"]["updateAccount"] == {"account": None, "errors": [{"code": code, "field": field}]}
    stored = await Account.get(id=account.id)
    assert (stored.name, stored.contact_email, stored.time_zone, stored.service_address) == (
        "The Smiths",
        "smiths@example.com",
        "America/Chicago",
        None,
    )
    assert not await ActivityEvent.filter(kind="ACCOUNT_UPDATED").exists()
