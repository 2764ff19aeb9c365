"""The batch reads behind the request's loaders: one IN query per batch, results in key order, and the
pages of a connection (members, activity, statements, payments) for many accounts at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.access import Permission
from models.accounts.models import Account
from models.activity import ActivityEvent
from models.billing.models import (
    AutopayEnrollment,
    LineItem,
    Payment,
    PaymentMethod,
    Statement,
    StatementStatus,
)
from models.db.prepared import PreparedQuery
from models.members.models import Member, PermissionGrant
from models.security.models import Session

RowT = TypeVar("RowT")
ModelT = TypeVar("ModelT", bound=Model)
KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")


class PageKey(NamedTuple):
    """One page of a parent's list: the rows after `after_id`, `first` of them."""

    parent_id: int
    first: int
    after_id: int | None


class Page(NamedTuple, Generic[RowT]):
    rows: list[RowT]
    has_next: bool


def _distinct(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(ids))


# The autopay enrolment rides along (one row at most, a LEFT JOIN): nextPayment needs it, and
# Loaders primes autopay_by_account with it so the dashboard spends no statement on it.
_ACCOUNTS = PreparedQuery(Account, lambda ids: Account.filter(id__in=ids).select_related("autopay"))


async def accounts_by_id(ids: Sequence[int]) -> list[Account | None]:
    found = {account.id: account for account in await _ACCOUNTS.fetch(_distinct(ids))}
    return [found.get(pk) for pk in ids]


async def members_by_id(ids: Sequence[int]) -> list[Member | None]:
    found = {member.id: member for member in await Member.filter(id__in=set(ids))}
    return [found.get(pk) for pk in ids]


_GRANTS = PreparedQuery(PermissionGrant, lambda ids: PermissionGrant.filter(member_id__in=ids))


async def grants_by_member(ids: Sequence[int]) -> list[list[Permission]]:
    grants: dict[int, list[Permission]] = defaultdict(list)
    for grant in await _GRANTS.fetch(_distinct(ids)):
        grants[grant.member_id].append(Permission(grant.permission))
    return [grants[pk] for pk in ids]


async def sessions_by_member(ids: Sequence[int]) -> list[list[Session]]:
    sessions: dict[int, list[Session]] = defaultdict(list)
    for session in await Session.filter(member_id__in=set(ids), revoked_at=None).order_by("-created_at"):
        sessions[session.member_id].append(session)
    return [sessions[pk] for pk in ids]


async def primary_by_account(ids: Sequence[int]) -> list[Member | None]:
    found = {
        member.account_id: member for member in await Member.filter(account_id__in=set(ids), role="PRIMARY")
    }
    return [found.get(pk) for pk in ids]


def visible_members(account_ids: Sequence[int]) -> QuerySet[Member]:
    """Members shown in the account's list: everyone but removed members."""
    return Member.filter(account_id__in=set(account_ids), removed_at=None)


@dataclass(frozen=True)
class PagedQuery(Generic[ModelT]):
    """Keyset pages of one parent's rows, ordered by id: the first page, and the pages after a cursor."""

    first_page: PreparedQuery[ModelT]
    page_after: PreparedQuery[ModelT]


def paged(
    model: type[ModelT], of_parent: Callable[[Any], QuerySet[ModelT]], *, newest_first: bool
) -> PagedQuery[ModelT]:
    order = "-id" if newest_first else "id"
    after = "id__lt" if newest_first else "id__gt"
    return PagedQuery(
        PreparedQuery(model, lambda parent, limit: of_parent(parent).order_by(order).limit(limit)),
        PreparedQuery(
            model,
            lambda parent, after_id, limit: (
                of_parent(parent).filter(**{after: after_id}).order_by(order).limit(limit)
            ),
        ),
    )


async def _page(query: PagedQuery[ModelT], key: PageKey) -> Page[ModelT]:
    """One keyset page: the rows after the cursor's id, and whether more follow."""
    if key.after_id is None:
        rows = await query.first_page.fetch(key.parent_id, key.first + 1)
    else:
        rows = await query.page_after.fetch(key.parent_id, key.after_id, key.first + 1)
    return Page(rows=rows[: key.first], has_next=len(rows) > key.first)


_MEMBER_PAGES = paged(Member, lambda account: visible_members([account]), newest_first=False)
_ACTIVITY_PAGES = paged(
    ActivityEvent, lambda account: ActivityEvent.filter(account_id=account), newest_first=True
)
_STATEMENT_PAGES = paged(Statement, lambda account: Statement.filter(account_id=account), newest_first=True)
# Each payment's method comes in the same query (PaymentType reads it from the row).
_PAYMENT_PAGES = paged(
    Payment,
    lambda account: Payment.filter(account_id=account).select_related("payment_method"),
    newest_first=True,
)


async def member_pages(keys: Sequence[PageKey]) -> list[Page[Member]]:
    # A request asks for one page of one account; different pages are separate queries.
    return [await _page(_MEMBER_PAGES, key) for key in keys]


async def member_counts(ids: Sequence[int]) -> list[int]:
    rows = (
        await visible_members(ids)
        .annotate(total=Count("id"))
        .group_by("account_id")
        .values_list("account_id", "total")
    )
    counts = {int(account_id): int(total) for account_id, total in rows}
    return [counts.get(pk, 0) for pk in ids]


async def activity_pages(keys: Sequence[PageKey]) -> list[Page[ActivityEvent]]:
    return [await _page(_ACTIVITY_PAGES, key) for key in keys]


async def activity_counts(ids: Sequence[int]) -> list[int]:
    rows = (
        await ActivityEvent.filter(account_id__in=set(ids))
        .annotate(total=Count("id"))
        .group_by("account_id")
        .values_list("account_id", "total")
    )
    counts = {int(account_id): int(total) for account_id, total in rows}
    return [counts.get(pk, 0) for pk in ids]


async def _rows_by_id(model: type[ModelT], ids: Sequence[int]) -> list[ModelT | None]:
    found = {row.pk: row for row in await model.filter(id__in=set(ids))}
    return [found.get(pk) for pk in ids]


async def statements_by_id(ids: Sequence[int]) -> list[Statement | None]:
    return await _rows_by_id(Statement, ids)


async def payment_methods_by_id(ids: Sequence[int]) -> list[PaymentMethod | None]:
    # Removed methods too: a past payment still names the method it used.
    return await _rows_by_id(PaymentMethod, ids)


_LINE_ITEMS = PreparedQuery(LineItem, lambda ids: LineItem.filter(statement_id__in=ids).order_by("id"))


async def line_items_by_statement(ids: Sequence[int]) -> list[list[LineItem]]:
    items: dict[int, list[LineItem]] = defaultdict(list)
    for item in await _LINE_ITEMS.fetch(_distinct(ids)):
        items[item.statement_id].append(item)
    return [items[pk] for pk in ids]


_OPEN_STATEMENTS = PreparedQuery(
    Statement, lambda ids: Statement.filter(account_id__in=ids, status=StatementStatus.OPEN)
)


async def open_statements_by_account(ids: Sequence[int]) -> list[list[Statement]]:
    statements: dict[int, list[Statement]] = defaultdict(list)
    for statement in await _OPEN_STATEMENTS.fetch(_distinct(ids)):
        statements[statement.account_id].append(statement)
    return [statements[pk] for pk in ids]


async def payment_methods_by_account(ids: Sequence[int]) -> list[list[PaymentMethod]]:
    methods: dict[int, list[PaymentMethod]] = defaultdict(list)
    for method in await PaymentMethod.filter(account_id__in=set(ids), removed_at=None).order_by("id"):
        methods[method.account_id].append(method)
    return [methods[pk] for pk in ids]


async def autopay_by_account(ids: Sequence[int]) -> list[AutopayEnrollment | None]:
    found = {row.account_id: row for row in await AutopayEnrollment.filter(account_id__in=set(ids))}
    return [found.get(pk) for pk in ids]


async def statement_pages(keys: Sequence[PageKey]) -> list[Page[Statement]]:
    return [await _page(_STATEMENT_PAGES, key) for key in keys]


async def payment_pages(keys: Sequence[PageKey]) -> list[Page[Payment]]:
    return [await _page(_PAYMENT_PAGES, key) for key in keys]


async def _counts_by_account(model: type[Model], ids: Sequence[int]) -> list[int]:
    rows = (
        await model.filter(account_id__in=set(ids))
        .annotate(total=Count("id"))
        .group_by("account_id")
        .values_list("account_id", "total")
    )
    counts = {int(account_id): int(total) for account_id, total in rows}
    return [counts.get(pk, 0) for pk in ids]


async def statement_counts(ids: Sequence[int]) -> list[int]:
    return await _counts_by_account(Statement, ids)


async def payment_counts(ids: Sequence[int]) -> list[int]:
    return await _counts_by_account(Payment, ids)
