"""enrollAutopay (S) and cancelAutopay: MANAGE_PAYMENT_METHODS; Account.autopay and nextPayment."""

from __future__ import annotations

import httpx
import pytest

from models.access import Permission, Role
from models.billing.models import AutopayEnrollment
from models.notify.outbox import OutboxMessage
from schema.ids import to_global_id
from tests.billing_support import add_card, billing_session, issue
from tests.support import error_codes, gql

ENROLL = """
mutation($input: EnrollAutopayInput!) {
  enrollAutopay(input: $input) {
    autopay { enabled daysBeforeDue maxAmount { amount } paymentMethod { last4 } } errors { code field }
  }
}
"""
CANCEL = "mutation { cancelAutopay { autopay { enabled paymentMethod { last4 } } errors { code field } } }"
STATUS = "{ account { autopay { enabled daysBeforeDue } nextPayment { amount { amount } dueDate autopay } } }"


async def test_enroll_then_cancel(client: httpx.AsyncClient) -> None:
    # given
    account, token = await billing_session(client, stepped_up=True)
    card = await add_card(account)
    statement = await issue(account, 7999)
    method_id = to_global_id("PaymentMethod", card.id)
    # when
    body = await gql(
        client,
        ENROLL,
        {"input": {"paymentMethodId": method_id, "daysBeforeDue": 3, "maxAmount": 10000}},
        token=token,
    )
    # then
    assert body["data"]["enrollAutopay"] == {
        "autopay": {
            "enabled": True,
            "daysBeforeDue": 3,
            "maxAmount": {"amount": 10000},
            "paymentMethod": {"last4": "4242"},
        },
        "errors": [],
    }
    status = await gql(client, STATUS, token=token)
    assert status["data"]["account"] == {
        "autopay": {"enabled": True, "daysBeforeDue": 3},
        "nextPayment": {
            "amount": {"amount": 7999},
            "dueDate": statement.due_date.isoformat(),
            "autopay": True,
        },
    }
    assert await OutboxMessage.filter(recipient="alice@example.com", kind="AUTOPAY_CHANGED").count() == 1
    cancelled = await gql(client, CANCEL, token=token)
    assert cancelled["data"]["cancelAutopay"] == {
        "autopay": {"enabled": False, "paymentMethod": None},
        "errors": [],
    }
    status = await gql(client, STATUS, token=token)
    assert status["data"]["account"]["nextPayment"]["autopay"] is False


async def test_a_statement_above_the_ceiling_is_not_autopaid(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    card = await add_card(account)
    await issue(account, 7999)
    await AutopayEnrollment.create(account_id=account.id, payment_method_id=card.id, max_amount=5000)
    status = await gql(client, STATUS, token=token)
    assert status["data"]["account"]["nextPayment"]["autopay"] is False


async def test_not_enrolled_autopay_is_null(client: httpx.AsyncClient) -> None:
    _, token = await billing_session(client)
    body = await gql(client, STATUS, token=token)
    assert body == {"data": {"account": {"autopay": None, "nextPayment": None}}}
    cancelled = await gql(client, CANCEL, token=token)
    assert cancelled["data"]["cancelAutopay"] == {"autopay": None, "errors": []}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"daysBeforeDue": -1}, [{"code": "INVALID_INPUT", "field": "daysBeforeDue"}]),
        ({"daysBeforeDue": 29}, [{"code": "INVALID_INPUT", "field": "daysBeforeDue"}]),
        ({"maxAmount": 0}, [{"code": "INVALID_AMOUNT", "field": "maxAmount"}]),
        ({"paymentMethodId": "nonsense"}, [{"code": "NOT_FOUND", "field": "paymentMethodId"}]),
    ],
)
async def test_bad_enrolment_input(
    client: httpx.AsyncClient, changes: dict[str, object], errors: list[object]
) -> None:
    account, token = await billing_session(client, stepped_up=True)
    card = await add_card(account)
    given = {"paymentMethodId": to_global_id("PaymentMethod", card.id), **changes}
    body = await gql(client, ENROLL, {"input": given}, token=token)
    assert body["data"]["enrollAutopay"] == {"autopay": None, "errors": errors}
    assert await AutopayEnrollment.all().count() == 0


async def test_enrolling_needs_the_permission_and_a_step_up(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(client)
    card = await add_card(account)
    given = {"input": {"paymentMethodId": to_global_id("PaymentMethod", card.id)}}
    assert error_codes(await gql(client, ENROLL, given, token=token)) == ["STEP_UP_REQUIRED"]


async def test_standard_member_cannot_enrol_or_cancel(client: httpx.AsyncClient) -> None:
    account, token = await billing_session(
        client, role=Role.STANDARD, grants=(Permission.PAY_BILLS, Permission.VIEW_BILLING), stepped_up=True
    )
    card = await add_card(account)
    given = {"input": {"paymentMethodId": to_global_id("PaymentMethod", card.id)}}
    assert error_codes(await gql(client, ENROLL, given, token=token)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, CANCEL, token=token)) == ["FORBIDDEN"]
