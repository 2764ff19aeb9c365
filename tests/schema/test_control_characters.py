"""Every free-text input refuses control characters (CR, LF, tab, NUL...), the Unicode line and paragraph
separators and bidirectional overrides, with INVALID_INPUT naming the field; nothing is stored or sent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.access import Role
from models.accounts.models import Account
from models.members.models import Member, MemberStatus
from models.notify.outbox import OutboxMessage
from models.partners.api_keys import ApiKey
from models.services.appointments import Appointment
from models.services.outages import OutageReport
from tests.support import STRONG_PASSWORD, gql, invited, make_account, make_member, sign_in, step_up

REFUSED = [
    "The Smiths\r\nBcc: evil@example.com",
    "Smi\rths",
    "Smi\nths",
    "Smi\tths",
    "Smi\x00ths",
    "Smi\u2028ths",
    "\u202eshtimS",
]
MESSAGE = "Remove line breaks, tabs and other control characters."

UPDATE_ACCOUNT = """
mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { errors { code field message } } }
"""
INVITE = """
mutation($input: InviteMemberInput!) { inviteMember(input: $input) { errors { code field message } } }
"""
SCHEDULE = """
mutation($input: ScheduleAppointmentInput!) {
  scheduleAppointment(input: $input) { errors { code field message } }
}
"""
REPORT_OUTAGE = """
mutation($input: ReportOutageInput!) { reportOutage(input: $input) { errors { code field message } } }
"""
CREATE_KEY = """
mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { errors { code field message } } }
"""
PAY_BILL = """
mutation($input: PayBillInput!) { payBill(input: $input) { errors { code field message } } }
"""
UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { errors { code field message } } }
"""
ACTIVATE = """
mutation($input: ActivateMemberInput!) { activateMember(input: $input) { token errors { code field } } }
"""
CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) { changePassword(input: $input) { errors { code field } } }
"""
ADDRESS = {
    "line1": "1 Main St",
    "city": "Springfield",
    "region": "IL",
    "postalCode": "62701",
    "country": "US",
}


def refusal(field: str) -> list[dict[str, str]]:
    return [{"code": "INVALID_INPUT", "field": field, "message": MESSAGE}]


async def primary_session(client: httpx.AsyncClient) -> tuple[Account, str]:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    await step_up(client, token, "alice@example.com")
    return account, token


def inputs(text: str) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Mutation name -> (document, variables, the field refused)."""
    return {
        "updateAccount": (UPDATE_ACCOUNT, {"input": {"name": text}}, "name"),
        "updateAccount.address": (
            UPDATE_ACCOUNT,
            {"input": {"serviceAddress": {**ADDRESS, "line1": text}}},
            "serviceAddress.line1",
        ),
        "updateAccount.line2": (
            UPDATE_ACCOUNT,
            {"input": {"serviceAddress": {**ADDRESS, "line2": text}}},
            "serviceAddress.line2",
        ),
        "inviteMember": (
            INVITE,
            {"input": {"displayName": text, "email": "sam@example.com", "role": "STANDARD"}},
            "displayName",
        ),
        "scheduleAppointment": (
            SCHEDULE,
            {"input": {"startsAt": "2030-03-11T15:00:00+00:00", "reason": text}},
            "reason",
        ),
        "reportOutage": (
            REPORT_OUTAGE,
            {"input": {"serviceId": "U2VydmljZTox", "description": text}},
            "description",
        ),
        "payBill": (
            PAY_BILL,
            {"input": {"paymentMethodId": "UGF5bWVudE1ldGhvZDox", "idempotencyKey": text}},
            "idempotencyKey",
        ),
        "createApiKey": (CREATE_KEY, {"input": {"name": text, "permissions": ["VIEW_BILLING"]}}, "name"),
        "updateProfile": (UPDATE_PROFILE, {"input": {"displayName": text}}, "displayName"),
    }


@pytest.mark.parametrize("text", REFUSED)
async def test_every_free_text_input_refuses_control_characters(client: httpx.AsyncClient, text: str) -> None:
    # given
    account, token = await primary_session(client)
    sent_before = await OutboxMessage.all().count()
    # when
    answers = {
        name: (await gql(client, document, variables, token=token), field)
        for name, (document, variables, field) in inputs(text).items()
    }
    # then
    for name, (body, field) in answers.items():
        mutation = name.partition(".")[0]
        assert body["data"][mutation]["errors"] == refusal(field), (name, body)
    assert (await Account.get(id=account.id)).name == "The Smiths"
    assert (await Account.get(id=account.id)).service_address is None
    assert await Member.filter(account_id=account.id).count() == 1
    assert (await Member.get(account_id=account.id)).display_name == "Alice"
    assert await Appointment.filter(account_id=account.id).count() == 0
    assert await OutageReport.filter(account_id=account.id).count() == 0
    assert await ApiKey.filter(account_id=account.id).count() == 0
    assert await OutboxMessage.all().count() == sent_before


async def test_names_with_accents_emoji_and_joiners_are_still_accepted(client: httpx.AsyncClient) -> None:
    # given
    _, token = await primary_session(client)
    name = "Familia Núñez 👨\u200d👩\u200d👧"
    # when
    body = await gql(client, UPDATE_ACCOUNT, {"input": {"name": name}}, token=token)
    # then
    assert body["data"]["updateAccount"]["errors"] == []


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("securityQuestion", "First pet?\r\nBcc: x@example.com", "INVALID_INPUT"),
        ("securityAnswer", "Rex\n", "INVALID_INPUT"),
        ("password", "correct horse battery\nstaple 42", "WEAK_PASSWORD"),
    ],
)
async def test_activation_refuses_control_characters(
    client: httpx.AsyncClient, field: str, value: str, code: str
) -> None:
    # given an invited member
    invitee, token = await invited(await make_account(), role=Role.PRIMARY)
    values = {
        "token": token,
        "username": "dana",
        "password": "correct horse battery staple 42",
        "securityQuestion": "First pet?",
        "securityAnswer": "Rex",
        field: value,
    }
    # when
    body = await gql(client, ACTIVATE, {"input": values})
    # then refused at the field, and the link still works
    assert body["data"]["activateMember"] == {"token": None, "errors": [{"code": code, "field": field}]}
    assert (await Member.get(id=invitee.id)).status_enum is MemberStatus.INVITED


async def test_a_new_password_with_a_line_break_is_refused(client: httpx.AsyncClient) -> None:
    # given
    _, token = await primary_session(client)
    change = {"currentPassword": STRONG_PASSWORD, "newPassword": "violet tractor\tmountain sonnet 7"}
    # when
    body = await gql(client, CHANGE_PASSWORD, {"input": change}, token=token)
    # then
    assert body["data"]["changePassword"]["errors"] == [{"code": "WEAK_PASSWORD", "field": "newPassword"}]
