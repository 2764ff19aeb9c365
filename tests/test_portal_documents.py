"""Every GraphQL document the portal sends (tests/portal_documents.py reads them from web/src) runs the
same number of SQL statements whatever the number of rows it shows: no N+1 hides behind a page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from graphql import NonNullTypeNode, OperationDefinitionNode, OperationType, parse

from models.security.codes import issue_link_token
from models.security.models import TokenPurpose
from tests.portal_data import PortalAccount, account_with
from tests.portal_documents import PortalDocument, portal_documents
from tests.support import count_queries, gql, sign_in

SIZES = (2, 30)  # 30: more than a page of payments and activity, more than one of statements
DOCUMENTS = portal_documents()
QUERIES = [document for document in DOCUMENTS if document.operation is OperationType.QUERY]

Variables = Callable[[PortalAccount], Awaitable[dict[str, Any]]]


async def reset_link(portal: PortalAccount) -> dict[str, Any]:
    return {"token": await issue_link_token(portal.primary.id, TokenPurpose.PASSWORD_RESET, 600)}


# The variables a document requires besides its Boolean switches (all true: the most it can show).
REQUIRED: dict[str, Variables] = {"PasswordResetLink": reset_link}


async def variables_for(document: PortalDocument, portal: PortalAccount) -> dict[str, Any]:
    """True for every Boolean variable, REQUIRED's for the other non-null ones, nothing for the rest."""
    operation = parse(document.text).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    variables = await REQUIRED[document.name](portal) if document.name in REQUIRED else {}
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
    variables = await variables_for(document, portal)
    with count_queries() as statements:
        body = await gql(client, document.text, variables, token=token)
    assert "errors" not in body, (document.name, body)
    assert body["data"] is not None
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
