"""seed-demo always leaves a demo login that works, even after the demo account was locked out, on a
household with a year of bills, payments and activity to see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from gateway.settings import Settings
from models.activity import ActivityEvent
from models.billing.models import AutopayEnrollment, LineItem, Payment, PaymentMethod, Statement
from models.billing.statements import month_before
from models.notify.outbox import OutboxMessage
from models.onboarding import DEMO_PASSWORD, DEMO_USERNAME, seed_demo
from models.security.lockout import LockoutPolicy, locked_until, reserve, throttle_key
from models.security.passwords import Passwords
from models.services.appointments import Appointment
from models.services.models import Service
from tests.support import gql, sign_in


async def test_seeding_again_lifts_a_lockout_of_the_demo_login(
    client: httpx.AsyncClient, passwords: Passwords, settings: Settings
) -> None:
    # given a seeded demo whose login a stranger locked
    await seed_demo(passwords)
    key = throttle_key(DEMO_USERNAME)
    policy = LockoutPolicy(settings.lockout_threshold, settings.lockout_seconds)
    for _ in range(settings.lockout_threshold):
        await reserve(key, policy)
    assert await locked_until(key) is not None
    # when it is seeded again
    login = await seed_demo(passwords)
    # then the printed login signs in
    assert await locked_until(key) is None
    assert (login.username, login.password) == (DEMO_USERNAME, DEMO_PASSWORD)
    assert await sign_in(client, DEMO_USERNAME, DEMO_PASSWORD, deviceId="demo-laptop")


OVERVIEW = """
{
  account {
    balance { amount }
    nextPayment { amount { amount } dueDate autopay }
    statements(first: 20) {
      totalCount
      edges { node {
        periodStart periodEnd dueDate status amountDue { amount } amountPaid { amount }
        lineItems { description amount { amount } }
      } }
    }
    payments(first: 20) {
      totalCount edges { node { source status amount { amount } paymentMethod { kind } paidBy { username } } }
    }
    paymentMethods { kind brand last4 isDefault }
    autopay { enabled daysBeforeDue maxAmount { amount } paymentMethod { last4 } }
    services { kind plan dataUsage { usedBytes allowanceBytes } }
    appointments { startsAt status reason }
    activity(first: 100) { totalCount edges { node { kind at } } }
  }
}
"""
DEMO_TABLES = (
    Service,
    Statement,
    LineItem,
    Payment,
    PaymentMethod,
    AutopayEnrollment,
    Appointment,
    ActivityEvent,
)


async def row_counts() -> list[int]:
    return [await model.all().count() for model in DEMO_TABLES]


async def test_the_demo_household_has_a_year_to_see_and_seeding_again_adds_nothing(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given a seeded demo
    await seed_demo(passwords)
    counts = await row_counts()
    # when it is seeded again and its primary looks at the account
    await seed_demo(passwords)
    counts_again = await row_counts()
    token = await sign_in(client, DEMO_USERNAME, DEMO_PASSWORD, deviceId="demo-laptop")
    body = await gql(client, OVERVIEW, token=token)
    # then nothing was added, and the household has lived a year
    assert counts_again == counts
    assert "errors" not in body
    account = body["data"]["account"]
    today = date.today()
    statements = [edge["node"] for edge in account["statements"]["edges"]]
    latest = statements[0]
    assert account["statements"]["totalCount"] == 13  # twelve months, and the installation
    assert [s["status"] for s in statements] == ["OPEN"] + ["PAID"] * 12
    assert latest["lineItems"] == [
        {"description": "Internet - Gig", "amount": {"amount": 7999}},
        {"description": "TV - Select", "amount": {"amount": 5999}},
    ]
    assert statements[-1]["lineItems"] == [
        {"description": "Professional installation", "amount": {"amount": 4999}}
    ]
    for statement in statements:  # each period is the month before its due date
        due = date.fromisoformat(statement["dueDate"])
        assert date.fromisoformat(statement["periodEnd"]) == due - timedelta(days=1)
        assert date.fromisoformat(statement["periodStart"]) == month_before(due)
    assert [s["amountPaid"] == s["amountDue"] for s in statements] == [False] + [True] * 12
    assert account["balance"] == {"amount": 13998}
    assert account["nextPayment"]["amount"] == {"amount": 13998}
    assert account["nextPayment"]["autopay"] is True
    assert today < date.fromisoformat(account["nextPayment"]["dueDate"]) <= today + timedelta(days=11)
    payments = [edge["node"] for edge in account["payments"]["edges"]]
    assert sorted((p["source"], p["paymentMethod"]["kind"]) for p in payments) == sorted(
        [("AUTOPAY", "CARD")] * 7 + [("MANUAL", "CARD")] * 3 + [("MANUAL", "BANK_ACCOUNT")] * 2
    )
    assert {p["status"] for p in payments} == {"SUCCEEDED"}
    # (the primary made the payments by hand, so the history says "You paid" to her)
    assert {(p["source"], (p["paidBy"] or {}).get("username")) for p in payments} == {
        ("AUTOPAY", None),
        ("MANUAL", DEMO_USERNAME),
    }
    assert account["paymentMethods"] == [
        {"kind": "CARD", "brand": "visa", "last4": "4242", "isDefault": True},
        {"kind": "BANK_ACCOUNT", "brand": "Sandbox Bank", "last4": "6789", "isDefault": False},
    ]
    assert account["autopay"] == {
        "enabled": True,
        "daysBeforeDue": 0,
        "maxAmount": {"amount": 25000},
        "paymentMethod": {"last4": "4242"},
    }
    internet, tv = account["services"]
    assert (internet["kind"], tv["kind"], tv["dataUsage"]) == ("INTERNET", "TV", None)
    assert 0.75 < internet["dataUsage"]["usedBytes"] / internet["dataUsage"]["allowanceBytes"] < 0.8
    upcoming = [a for a in account["appointments"] if a["status"] == "SCHEDULED"]
    assert len(upcoming) == 1
    assert datetime.fromisoformat(upcoming[0]["startsAt"]) > datetime.now(UTC)
    kinds = [edge["node"]["kind"] for edge in account["activity"]["edges"]]
    assert kinds[:2] == ["NEW_DEVICE_ALERT", "SIGN_IN"]  # the sign-in just now
    for kind in ("SIGN_IN", "PAYMENT_SUCCEEDED", "AUTOPAY_ENROLLED", "NOTIFICATION_PREFERENCES_UPDATED"):
        assert kind in kinds[2:]
    times = [edge["node"]["at"] for edge in account["activity"]["edges"]]
    assert times == sorted(times, reverse=True)
    # (the year is history: the seed sent no statement, receipt or alert)
    assert (
        await OutboxMessage.filter(kind__in=["STATEMENT_READY", "PAYMENT_RECEIPT", "USAGE_ALERT"]).count()
        == 0
    )


async def test_a_demo_account_someone_used_before_the_year_existed_is_left_as_it_is(
    passwords: Passwords,
) -> None:
    # given: a demo account from before the year was seeded, where someone saved a card and autopay
    login = await seed_demo(passwords)
    account_id = login.account.id
    for model in reversed(DEMO_TABLES[:-1]):
        await model.filter(**({"statement__account_id": account_id} if model is LineItem else {})).delete()
    card = await PaymentMethod.create(
        account_id=account_id,
        kind="CARD",
        brand="visa",
        last4="4242",
        processor_token="tok_visa",
        is_default=True,
    )
    await AutopayEnrollment.create(account_id=account_id, payment_method_id=card.id)
    before = await row_counts()
    # when: seeded again (make run does it on every start)
    again = await seed_demo(passwords)
    # then: the login works, and nothing was written over what people did
    assert (again.username, again.password) == (DEMO_USERNAME, DEMO_PASSWORD)
    assert await row_counts() == before
    assert await PaymentMethod.filter(account_id=account_id).count() == 1
