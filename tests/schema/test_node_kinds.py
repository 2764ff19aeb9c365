"""Query.node for every kind of object: found in the caller's account with the permission its list needs,
null for another account's object or without that permission."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from models.access import Permission, Role, effective_permissions
from models.accounts.models import Account
from models.activity import record
from models.billing.models import Payment, PaymentSource, PaymentStatus
from models.db.clock import utcnow
from models.partners import api_keys
from models.services.appointments import Appointment
from models.services.models import Service
from schema.ids import to_global_id
from tests.billing_support import add_card, issue
from tests.support import gql, make_account, make_member, sign_in

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Statement { amountDue { amount } lineItems { description } }
    ... on Payment { amount { amount } paymentMethod { last4 } }
    ... on PaymentMethod { last4 }
    ... on Service { plan }
    ... on Appointment { reason }
    ... on ApiKey { name }
    ... on ActivityEvent { kind }
  }
}
"""


async def node(client: httpx.AsyncClient, global_id: str, token: str) -> dict[str, Any] | None:
    body = await gql(client, NODE, {"id": global_id}, token=token)
    assert "errors" not in body, body
    found: dict[str, Any] | None = body["data"]["node"]
    return found


async def objects_of(account_name: str, primary: str) -> tuple[Account, dict[str, str]]:
    """A new account whose primary is `primary`, with one object of each kind: global ID per type name."""
    account = await make_account(account_name)
    owner = await make_member(account, primary, role=Role.PRIMARY)
    statement = await issue(account, 4200, "Internet - Gig plan")
    card = await add_card(account)
    payment = await Payment.create(
        account_id=account.id,
        amount=4200,
        status=PaymentStatus.SUCCEEDED,
        source=PaymentSource.MANUAL,
        idempotency_key=f"{account.id}:node",
        request_fingerprint="node",
        payment_method_id=card.id,
        statement_id=statement.id,
    )
    service = await Service.create(account_id=account.id, kind="INTERNET", plan="Gig", monthly_price=7999)
    start = utcnow() + timedelta(days=3)
    appointment = await Appointment.create(
        account_id=account.id, starts_at=start, ends_at=start + timedelta(hours=2), reason="install"
    )
    key, _secret = await api_keys.create(
        owner, effective_permissions(Role.PRIMARY, []), "Partner", [Permission.VIEW_BILLING]
    )
    event = await record(account.id, "NOTE", "A note", actor_id=owner.id)
    rows = {
        "Statement": statement.id,
        "Payment": payment.id,
        "PaymentMethod": card.id,
        "Service": service.id,
        "Appointment": appointment.id,
        "ApiKey": key.id,
        "ActivityEvent": event.id,
    }
    return account, {name: to_global_id(name, pk) for name, pk in rows.items()}


async def test_every_kind_resolves_in_its_own_account(client: httpx.AsyncClient) -> None:
    """The primary finds each object of the account by its ID, with its fields."""
    # given
    _, ids = await objects_of("The Smiths", "alice")
    token = await sign_in(client, "alice")
    # when
    found = {
        name: (await gql(client, NODE, {"id": gid}, token=token))["data"]["node"] for name, gid in ids.items()
    }
    # then
    assert {name: node["__typename"] for name, node in found.items()} == {name: name for name in ids}
    assert all(node["id"] == ids[name] for name, node in found.items())
    assert found["Statement"]["lineItems"] == [{"description": "Internet - Gig plan"}]
    assert found["Payment"] == {
        "__typename": "Payment",
        "id": ids["Payment"],
        "amount": {"amount": 4200},
        "paymentMethod": {"last4": "4242"},
    }
    assert found["Appointment"]["reason"] == "install"
    assert found["ApiKey"]["name"] == "Partner"
    assert found["ActivityEvent"]["kind"] == "NOTE"


async def test_another_accounts_objects_are_null(client: httpx.AsyncClient) -> None:
    """IDs of another household's objects answer null, never their data or an error that tells."""
    # given
    _, theirs = await objects_of("The Joneses", "jones")
    await objects_of("The Smiths", "alice")
    token = await sign_in(client, "alice")
    # when
    answers = [await gql(client, NODE, {"id": gid}, token=token) for gid in theirs.values()]
    # then
    assert answers == [{"data": {"node": None}}] * len(theirs)


async def test_a_member_without_the_lists_permission_gets_null(client: httpx.AsyncClient) -> None:
    """A STANDARD member with no grants sees the services (any member may), nothing else of the list."""
    # given
    account, ids = await objects_of("The Smiths", "alice")
    await make_member(account, "sam")
    token = await sign_in(client, "sam")
    # when
    visible = {
        name
        for name, gid in ids.items()
        if (await gql(client, NODE, {"id": gid}, token=token))["data"]["node"]
    }
    # then
    assert visible == {"Service"}


async def test_a_grant_opens_exactly_its_kinds(client: httpx.AsyncClient) -> None:
    """VIEW_BILLING shows statements, payments and the cards they used; not appointments or keys."""
    # given
    account, ids = await objects_of("The Smiths", "alice")
    await make_member(account, "bill", grants=(Permission.VIEW_BILLING,))
    token = await sign_in(client, "bill")
    # when
    visible = {
        name
        for name, gid in ids.items()
        if (await gql(client, NODE, {"id": gid}, token=token))["data"]["node"]
    }
    # then
    assert visible == {"Statement", "Payment", "PaymentMethod", "Service"}


async def test_ids_that_name_nothing_are_null(client: httpx.AsyncClient) -> None:
    """A known kind with no such row, an unknown kind, a malformed or oversized ID: null, no error."""
    # given
    await objects_of("The Smiths", "alice")
    token = await sign_in(client, "alice")
    wrong = [
        *(to_global_id(name, 987_654_321) for name in ("Statement", "Payment", "PaymentMethod", "Service")),
        *(to_global_id(name, 987_654_321) for name in ("Appointment", "ApiKey", "ActivityEvent")),
        to_global_id("Session", 1),
        to_global_id("OutboxMessage", 1),
        "U3RhdGVtZW50Oi0x",  # "Statement:-1"
        "not base64 !",
        "x" * 200,
    ]
    # when
    answers = [await node(client, global_id, token) for global_id in wrong]
    # then
    assert answers == [None] * len(wrong)
