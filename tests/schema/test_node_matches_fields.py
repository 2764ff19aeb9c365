"""Query.node answers exactly what the fields that reach each object answer: for members with any
grants and partner keys with any permissions, node(id) is an object iff some field path showed it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from models.access import Permission, Role
from models.activity import record
from models.billing.models import AutopayEnrollment, Payment, PaymentSource, PaymentStatus
from models.db.clock import utcnow
from models.members.models import Member
from models.partners import api_keys
from models.services.appointments import Appointment
from models.services.models import Service
from schema.ids import to_global_id
from tests.billing_support import add_card, issue
from tests.schema.partners.support import make_key
from tests.support import error_codes, gql, make_account, make_member, sign_in

NODE = "query($id: ID!) { node(id: $id) { id } }"
# Every field path that leads to an object with an id, in pieces a partner key's cost budget admits.
REACH = [
    "{ me { id } }",
    "{ account { primary { id } } }",  # Member!: FORBIDDEN for a key nulls the whole account
    "{ account { members(first: 50) { edges { node { id } } } } }",
    "{ account { id statements(first: 50) { edges { node { id } } } services { id } appointments { id } } }",
    "{ account { payments(first: 50) { edges { node { id paymentMethod { id } statement { id } } } } } }",
    "{ account { paymentMethods { id } autopay { paymentMethod { id } } apiKeys { id } } }",
    "{ account { activity(first: 50) { edges { node { id actor { id } } } } } }",
]
CARD = {
    "USED": "tok_visa",  # saved, paid a statement
    "UNUSED": "tok_mastercard",  # saved, never used
    "REMOVED_USED": "btok_checking",  # removed, paid a statement
    "REMOVED_UNUSED": "tok_visa",  # removed, never used
    "AUTOPAY": "tok_mastercard",  # saved, autopay's method, never used
}


async def household() -> tuple[Member, dict[str, str]]:
    """An account with an object of every kind, and the awkward ones (removed, revoked, unused);
    returns its primary and the global ID of each object by a name."""
    account = await make_account()
    primary = await make_member(account, "alice", role=Role.PRIMARY)
    ids: dict[str, str] = {"account": to_global_id("Account", account.id)}
    members = {
        "alice": primary,
        "manny": await make_member(account, "manny", role=Role.MANAGER),
        "bill": await make_member(account, "bill", grants=(Permission.VIEW_BILLING,)),
        "pat": await make_member(account, "pat", grants=(Permission.PAY_BILLS,)),
        "vera": await make_member(account, "vera", grants=(Permission.VIEW_MEMBERS,)),
        "sam": await make_member(account, "sam"),
        "gone": await make_member(account, "gone"),
        "gone_quiet": await make_member(account, "gone_quiet"),
    }
    await record(account.id, "NOTE", "Gone did something", actor_id=members["gone"].id)
    await Member.filter(id__in=[members["gone"].id, members["gone_quiet"].id]).update(removed_at=utcnow())
    ids |= {f"member:{name}": to_global_id("Member", m.id) for name, m in members.items()}
    cards = {name: await add_card(account, token, default=name == "USED") for name, token in CARD.items()}
    ids |= {f"method:{name}": to_global_id("PaymentMethod", card.id) for name, card in cards.items()}
    paid = await issue(account, 4200)
    unpaid = await issue(account, 1000)
    ids |= {"statement:paid": to_global_id("Statement", paid.id)}
    ids |= {"statement:unpaid": to_global_id("Statement", unpaid.id)}
    for n, name in enumerate(("USED", "REMOVED_USED")):
        payment = await Payment.create(
            account_id=account.id,
            amount=2100,
            status=PaymentStatus.SUCCEEDED,
            source=PaymentSource.MANUAL,
            idempotency_key=f"k{n}",
            request_fingerprint="f",
            payment_method_id=cards[name].id,
            statement_id=paid.id,
        )
        ids[f"payment:{name}"] = to_global_id("Payment", payment.id)
    for name in ("REMOVED_USED", "REMOVED_UNUSED"):
        cards[name].removed_at = utcnow()
        await cards[name].save(update_fields=["removed_at"])
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=cards["AUTOPAY"].id)
    service = await Service.create(account_id=account.id, kind="INTERNET", plan="Gig", monthly_price=7999)
    start = utcnow() + timedelta(days=3)
    appointment = await Appointment.create(
        account_id=account.id, starts_at=start, ends_at=start + timedelta(hours=2), reason="install"
    )
    ids |= {"service": to_global_id("Service", service.id)}
    ids |= {"appointment": to_global_id("Appointment", appointment.id)}
    live, _ = await make_key(primary, Permission.VIEW_BILLING, name="Live")
    revoked, _ = await make_key(primary, Permission.VIEW_BILLING, name="Revoked")
    await api_keys.revoke(primary, revoked.id)
    ids |= {"key:live": to_global_id("ApiKey", live.id), "key:revoked": to_global_id("ApiKey", revoked.id)}
    return primary, ids


def ids_in(data: Any) -> set[str]:
    if isinstance(data, dict):
        found = {data["id"]} if isinstance(data.get("id"), str) else set()
        return found.union(*(ids_in(value) for value in data.values()))
    if isinstance(data, list):
        return set().union(*(ids_in(item) for item in data))
    return set()


async def reached(client: httpx.AsyncClient, token: str) -> set[str]:
    """Every id the caller's fields show (FORBIDDEN fields are null and show nothing)."""
    seen: set[str] = set()
    for document in REACH:
        body = await gql(client, document, token=token)
        assert set(error_codes(body)) <= {"FORBIDDEN"}, body
        seen |= ids_in(body["data"])
    return seen


async def by_node(client: httpx.AsyncClient, token: str, ids: dict[str, str]) -> set[str]:
    shown: set[str] = set()
    for global_id in ids.values():
        body = await gql(client, NODE, {"id": global_id}, token=token)
        assert "errors" not in body, body
        if body["data"]["node"] is not None:
            shown.add(global_id)
    return shown


MEMBERS = ["alice", "manny", "bill", "pat", "vera", "sam"]
KEYS = {
    "activity": (Permission.VIEW_ACTIVITY,),
    "activity+members": (Permission.VIEW_ACTIVITY, Permission.VIEW_MEMBERS),
    "billing": (Permission.VIEW_BILLING,),
    "pay": (Permission.PAY_BILLS,),
    "methods": (Permission.MANAGE_PAYMENT_METHODS,),
    "services": (Permission.MANAGE_SERVICES,),
}


@pytest.mark.parametrize("username", MEMBERS)
async def test_for_a_member_node_shows_what_the_fields_show(client: httpx.AsyncClient, username: str) -> None:
    # given
    _, ids = await household()
    token = await sign_in(client, username)
    # when
    fields, nodes = await reached(client, token), await by_node(client, token, ids)
    # then
    assert {name for name, gid in ids.items() if gid in nodes} == {
        name for name, gid in ids.items() if gid in fields
    }


@pytest.mark.parametrize("permissions", list(KEYS.values()), ids=list(KEYS))
async def test_for_a_partner_key_node_shows_what_the_fields_show(
    client: httpx.AsyncClient, permissions: tuple[Permission, ...]
) -> None:
    # given
    primary, ids = await household()
    _, secret = await make_key(primary, *permissions)
    # when
    fields, nodes = await reached(client, secret), await by_node(client, secret, ids)
    # then
    assert {name for name, gid in ids.items() if gid in nodes} == {
        name for name, gid in ids.items() if gid in fields
    }


async def test_view_billing_shows_the_methods_payments_and_autopay_used_not_the_other_saved_ones(
    client: httpx.AsyncClient,
) -> None:
    """The finding: a VIEW_BILLING member, FORBIDDEN on account.paymentMethods, saw every saved method."""
    # given
    _, ids = await household()
    token = await sign_in(client, "bill")
    # when
    shown = await by_node(client, token, {k: v for k, v in ids.items() if k.startswith("method:")})
    methods = await gql(client, "{ account { paymentMethods { id } } }", token=token)
    # then
    assert error_codes(methods) == ["FORBIDDEN"]
    assert {name for name, gid in ids.items() if gid in shown} == {
        "method:USED",
        "method:REMOVED_USED",
        "method:AUTOPAY",
    }


async def test_pay_bills_shows_the_saved_methods_not_the_removed_ones(client: httpx.AsyncClient) -> None:
    # given
    _, ids = await household()
    token = await sign_in(client, "pat")
    # when
    shown = await by_node(client, token, {k: v for k, v in ids.items() if k.startswith("method:")})
    # then
    assert {name for name, gid in ids.items() if gid in shown} == {
        "method:USED",
        "method:UNUSED",
        "method:AUTOPAY",
    }


async def test_members_see_the_primary_and_the_listed_members_not_the_removed_ones(
    client: httpx.AsyncClient,
) -> None:
    """account.primary shows the primary to any member; removed members only where they acted."""
    # given
    _, ids = await household()
    sam, vera, manny = [await sign_in(client, name) for name in ("sam", "vera", "manny")]
    members = {k: v for k, v in ids.items() if k.startswith("member:")}
    # when
    shown = {name: await by_node(client, token, members) for name, token in (("sam", sam), ("vera", vera))}
    shown["manny"] = await by_node(client, manny, members)
    # then
    names = {
        who: {k.removeprefix("member:") for k, v in members.items() if v in seen}
        for who, seen in shown.items()
    }
    assert names["sam"] == {"sam", "alice"}
    assert names["vera"] == {"alice", "manny", "bill", "pat", "vera", "sam"}
    assert names["manny"] == {"alice", "manny", "bill", "pat", "vera", "sam", "gone"}
