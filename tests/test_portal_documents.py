"""Every GraphQL document the portal sends (tests/portal_documents.py reads them from web/src) runs the
same number of SQL statements whatever the number of rows it shows: no N+1 hides behind a page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from graphql import NonNullTypeNode, OperationDefinitionNode, OperationType, parse
from tortoise.models import Model

from models.access import Role
from models.billing.models import PaymentMethod, Statement
from models.members.models import Member, MemberStatus
from models.partners.api_keys import ApiKey
from models.security.codes import issue_link_token
from models.security.models import Session, TokenPurpose
from models.services.appointments import Appointment
from schema.ids import to_global_id
from tests.portal_data import PortalAccount, account_with
from tests.portal_documents import PortalDocument, portal_documents
from tests.support import count_queries, gql, sign_in, step_up

SIZES = (2, 30)  # 30: more than a page of payments and activity, more than one of statements
DOCUMENTS = portal_documents()
QUERIES = [document for document in DOCUMENTS if document.operation is OperationType.QUERY]

Variables = Callable[[PortalAccount], Awaitable[dict[str, Any]]]


async def reset_link(portal: PortalAccount) -> dict[str, Any]:
    return {"token": await issue_link_token(portal.primary.id, TokenPurpose.PASSWORD_RESET, 600)}


async def activation_link(portal: PortalAccount) -> dict[str, Any]:
    invitee = await Member.create(
        account_id=portal.account.id,
        role=Role.STANDARD,
        status=MemberStatus.INVITED,
        display_name="Invitee",
        email=f"invitee.{portal.account.id}@example.com",
    )
    return {"token": await issue_link_token(invitee.id, TokenPurpose.ACTIVATION, 600)}


async def a_member(portal: PortalAccount) -> dict[str, Any]:
    member = await Member.filter(account_id=portal.account.id, role=Role.STANDARD).order_by("id").first()
    assert member is not None
    return {"memberId": to_global_id("Member", member.id)}


async def member_access(portal: PortalAccount) -> dict[str, Any]:
    member = await a_member(portal)
    return {"input": {**member, "role": "STANDARD", "permissions": ["VIEW_BILLING", "VIEW_MEMBERS"]}}


async def an_id(model: type[Model], filters: dict[str, Any], order: str = "id") -> dict[str, Any]:
    """{"id": the global id of the account's first (or, with order="-id", newest) row of `model`}."""
    row = await model.filter(**filters).order_by(order).first()
    assert row is not None, model.__name__
    return {"id": to_global_id(model.__name__, row.id)}


async def a_method(portal: PortalAccount) -> dict[str, Any]:
    return await an_id(PaymentMethod, {"account_id": portal.account.id}, "-id")


async def a_statement(portal: PortalAccount) -> dict[str, Any]:
    return await an_id(Statement, {"account_id": portal.account.id}, "-id")


async def autopay(portal: PortalAccount) -> dict[str, Any]:
    method = await a_method(portal)
    return {"input": {"paymentMethodId": method["id"], "daysBeforeDue": 2}}


async def a_session(portal: PortalAccount) -> dict[str, Any]:
    return await an_id(Session, {"member_id": portal.primary.id})


async def an_appointment(portal: PortalAccount) -> dict[str, Any]:
    return await an_id(Appointment, {"account_id": portal.account.id})


async def an_api_key(portal: PortalAccount) -> dict[str, Any]:
    return await an_id(ApiKey, {"account_id": portal.account.id})


async def preferences(portal: PortalAccount) -> dict[str, Any]:
    return {
        "input": {"billing": ["EMAIL"], "serviceChanges": [], "outages": ["EMAIL"], "security": ["EMAIL"]}
    }


async def new_api_key(portal: PortalAccount) -> dict[str, Any]:
    return {"input": {"name": "Budget app", "permissions": ["VIEW_BILLING"]}}


async def nothing(portal: PortalAccount) -> dict[str, Any]:
    return {}


# The variables a document requires besides its Boolean switches (all true: the most it can show).
REQUIRED: dict[str, Variables] = {
    "PasswordResetLink": reset_link,
    "ActivationLink": activation_link,
    "StatementPdfUrl": a_statement,
}
# The portal's mutations that run on the seeded account as its primary (stepped up), with their
# variables; the others need a state the seed does not make (an invitation, a code, a processor).
MUTATIONS: dict[str, Variables] = {
    "UpdateMemberAccess": member_access,
    "RemoveMember": a_member,
    "UnlockMemberById": a_member,
    "SetDefaultPaymentMethod": a_method,
    "RemovePaymentMethod": a_method,
    "EnrollAutopay": autopay,
    "CancelAutopay": nothing,
    "RevokeSession": a_session,
    "SignOutEverywhere": nothing,
    "CancelAppointment": an_appointment,
    "CreateApiKey": new_api_key,
    "RevokeApiKey": an_api_key,
    "UpdateNotificationPreferences": preferences,
    "GenerateRecoveryCodes": nothing,
    "BeginPasskeyRegistration": nothing,
}
RUN_MUTATIONS = [document for document in DOCUMENTS if document.name in MUTATIONS]


async def variables_for(document: PortalDocument, portal: PortalAccount) -> dict[str, Any]:
    """True for every Boolean variable, REQUIRED's for the other non-null ones, nothing for the rest."""
    operation = parse(document.text).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    variables = await REQUIRED[document.name](portal) if document.name in REQUIRED else {}
    if document.name in MUTATIONS:
        variables = await MUTATIONS[document.name](portal)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_name = getattr(getattr(definition.type, "type", definition.type), "name", None)
        if type_name is not None and type_name.value == "Boolean":
            variables[name] = True
        elif isinstance(definition.type, NonNullTypeNode) and definition.default_value is None:
            assert name in variables, f"{document.name} needs ${name}: add it to REQUIRED"
    return variables


async def statements_of(client: httpx.AsyncClient, document: PortalDocument, size: int) -> int:
    """The SQL statements of the document for the primary of an account of `size` rows (signed in
    beforehand: their sign-in is not counted)."""
    portal = await account_with(size)
    token = await sign_in(client, portal.username)
    if document.operation is OperationType.MUTATION:
        await step_up(client, token, portal.primary.email or "")
    variables = await variables_for(document, portal)
    with count_queries() as statements:
        body = await gql(client, document.text, variables, token=token)
    assert "errors" not in body, (document.name, body)
    assert body["data"] is not None
    payload = next(iter(body["data"].values()))
    assert payload.get("errors", []) == [] if isinstance(payload, dict) else True, (document.name, payload)
    return len(statements)


def test_the_portal_sends_queries_to_count() -> None:
    """The portal's sources are where the test reads them, and their queries include the pages'."""
    # given / when
    names = {document.name for document in QUERIES}
    # then
    assert {"Overview", "Billing", "Members", "Security", "Activity", "Services", "Me"} <= names, names


@pytest.mark.parametrize("document", QUERIES, ids=[document.name for document in QUERIES])
async def test_a_portal_query_runs_the_same_sql_statements_whatever_the_data_size(
    client: httpx.AsyncClient, document: PortalDocument
) -> None:
    # given accounts of each size (tests/portal_data.py)
    counts: dict[int, int] = {}
    for size in SIZES:
        # when
        counts[size] = await statements_of(client, document, size)
    # then
    assert len(set(counts.values())) == 1, (document.name, counts)


def test_the_mutations_run_here_are_the_portals() -> None:
    # given / when
    names = {document.name for document in DOCUMENTS if document.operation is OperationType.MUTATION}
    # then
    assert set(MUTATIONS) <= names, set(MUTATIONS) - names


@pytest.mark.parametrize("document", RUN_MUTATIONS, ids=[document.name for document in RUN_MUTATIONS])
async def test_a_portal_mutation_runs_the_same_sql_statements_whatever_the_data_size(
    client: httpx.AsyncClient, document: PortalDocument
) -> None:
    # given accounts of each size (tests/portal_data.py), their primary stepped up
    counts: dict[int, int] = {}
    for size in SIZES:
        # when
        counts[size] = await statements_of(client, document, size)
    # then
    assert len(set(counts.values())) == 1, (document.name, counts)
