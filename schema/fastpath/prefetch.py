"""The account's children, loaded ahead and together before its fields resolve.

The `account` field knows what its selection asks for. Loading that here, in two rounds of batched
loads (the pages and the open statements, then what hangs from the pages' rows), lets each field
below finish synchronously (`schema.loaders.eagerly`): no task, no suspension and no gather per
field. The fields do not depend on it: whatever was not loaded ahead (a field not listed here, a
permission the caller lacks, an argument that does not validate) they load, or refuse, themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from schema.batches import Page, PageKey
from schema.billing.account_fields import PAYMENTS_PAGE, STATEMENTS_PAGE, VIEW_BILLING
from schema.errors import ApiError
from schema.fastpath.lookahead import Child, children
from schema.members.types import MEMBERS_PAGE, VIEW_MEMBERS
from schema.node import page_arguments
from schema.permissions import Info


async def load_ahead(info: Info, account_id: int) -> None:
    """Start every load the selection below `account` will make, then wait for them, in two rounds."""
    loaders = info.context.loaders
    billing = VIEW_BILLING().has_permission(None, info)
    members = VIEW_MEMBERS().has_permission(None, info)
    first_round: list[Awaitable[Any]] = []
    statement_pages: list[tuple[Child, Awaitable[Page[Any]]]] = []
    member_pages: list[tuple[Child, Awaitable[Page[Any]]]] = []
    for child in children(info):
        if child.name in ("balance", "nextPayment") and billing:
            first_round.append(loaders.open_statements_by_account.load(account_id))
        elif child.name == "statements" and billing:
            key = _page_key(child, account_id, STATEMENTS_PAGE)
            if key is not None:
                statement_pages.append((child, loaders.statement_page.load(key)))
        elif child.name == "payments" and billing:
            key = _page_key(child, account_id, PAYMENTS_PAGE)
            if key is not None:
                first_round.append(loaders.payment_page.load(key))
        elif child.name == "members" and members:
            key = _page_key(child, account_id, MEMBERS_PAGE)
            if key is not None:
                member_pages.append((child, loaders.member_page.load(key)))
    pending = first_round + [page for _, page in statement_pages + member_pages]
    if not pending:
        return
    # A failed load is left for its field to report: the account itself is not lost to it.
    await asyncio.gather(*pending, return_exceptions=True)
    second_round: list[Awaitable[Any]] = []
    for child, page in statement_pages:
        if child.selects("edges", "node", "lineItems") and _done(page):
            rows = page.result().rows  # type: ignore[attr-defined]
            second_round += [loaders.line_items_by_statement.load(row.id) for row in rows]
    for child, page in member_pages:
        if child.selects("edges", "node", "permissions") and _done(page):
            rows = page.result().rows  # type: ignore[attr-defined]
            second_round += [loaders.grants_by_member.load(row.id) for row in rows]
    if second_round:
        await asyncio.gather(*second_round, return_exceptions=True)


def _page_key(child: Child, account_id: int, default: int) -> PageKey | None:
    """The key the field will load, computed as it computes it; None when its arguments are refused."""
    try:
        first, after_id = page_arguments(child.arguments.get("first"), child.arguments.get("after"), default)
    except ApiError:
        return None
    return PageKey(account_id, first, after_id)


def _done(page: Awaitable[Page[Any]]) -> bool:
    return (
        isinstance(page, asyncio.Future) and page.done() and not page.cancelled() and page.exception() is None
    )
