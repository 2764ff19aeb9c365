"""A mutation document shows the account as its earlier mutations left it, not as the session's read
found it before they ran (the session brings the account along for queries only)."""

from __future__ import annotations

import httpx

from models.billing.models import AutopayEnrollment
from schema.ids import to_global_id
from tests.billing_support import add_card, billing_session, issue
from tests.support import gql

CANCEL_THEN_SHOW = """
mutation {
  cancelAutopay { autopay { enabled } }
  updateAccount(input: {name: "Renamed"}) {
    account { name autopay { enabled } nextPayment { autopay } }
  }
}
"""

ENROLL_THEN_SHOW = """
mutation($method: ID!) {
  enrollAutopay(input: {paymentMethodId: $method}) { autopay { enabled } errors { code } }
  updateAccount(input: {name: "Renamed"}) { account { autopay { enabled } } }
}
"""


async def test_autopay_cancelled_earlier_in_the_document_shows_cancelled(client: httpx.AsyncClient) -> None:
    # given an account on autopay with an open statement
    account, token = await billing_session(client)
    card = await add_card(account)
    await issue(account, 7999)
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=card.id)
    # when one document cancels autopay, then shows the account
    body = await gql(client, CANCEL_THEN_SHOW, token=token)
    # then the account shows autopay off
    assert body["data"]["cancelAutopay"]["autopay"]["enabled"] is False
    shown = body["data"]["updateAccount"]["account"]
    assert shown == {"name": "Renamed", "autopay": {"enabled": False}, "nextPayment": {"autopay": False}}


async def test_autopay_enrolled_earlier_in_the_document_shows_enrolled(client: httpx.AsyncClient) -> None:
    # given an account not on autopay, its member stepped up (enrolling is sensitive)
    account, token = await billing_session(client, stepped_up=True)
    card = await add_card(account)
    # when one document enrols it, then shows the account
    body = await gql(
        client, ENROLL_THEN_SHOW, {"method": to_global_id("PaymentMethod", card.id)}, token=token
    )
    # then the account shows autopay on
    assert body["data"]["enrollAutopay"] == {"autopay": {"enabled": True}, "errors": []}, body
    assert body["data"]["updateAccount"]["account"]["autopay"] == {"enabled": True}
