"""DataLoaders, built fresh for every request: one IN query per batch, results in key order."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeAlias, TypeVar

from strawberry.dataloader import DataLoader
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
from models.partners.api_keys import ApiKey, live_keys_by_account
from models.security.models import Session
from models.services.appointments import Appointment
from models.services.models import Service
from models.services.usage import DataUsage
from schema.services.loaders import (
    UsageKey,
    appointments_by_account,
    services_by_account,
    usage_by_service_period,
)

RowT = TypeVar("RowT")
ModelT = TypeVar("ModelT", bound=Model)
KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")
MaybeAwaitable: TypeAlias = ValueT | Awaitable[ValueT]


async def load_all(loader: DataLoader[KeyT, ValueT], keys: Sequence[KeyT]) -> list[ValueT]:
    """`loader.load_many(keys)` without asyncio.gather: every key joins the batch before the first
    await, and nothing suspends when all of them are already loaded (see `eagerly`)."""
    futures = [loader.load(key) for key in keys]
    try:
        return [await future for future in futures]
    except BaseException:
        # A failed batch fails every key's future; the first error is raised, the rest are read here
        # so asyncio does not log each of them as never retrieved.
        for future in futures:
            if isinstance(future, asyncio.Future):
                future.add_done_callback(_read_outcome)
        raise


def _read_outcome(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def eagerly(work: Coroutine[Any, Any, ValueT]) -> MaybeAwaitable[ValueT]:
    """Run a resolver's coroutine at once: its value when it finishes without suspending (every load it
    awaits was done: the account's loads ran ahead, schema/accounts/prefetch.py), else an awaitable
    that finishes it. graphql-core then completes the field without a task and its bookkeeping.

    A field written `def f(...) -> MaybeAwaitable[T]: return eagerly(self._f(...))` behaves as the
    `async def` it wraps, errors and cancellation included."""
    try:
        waiting_on = work.send(None)
    except StopIteration as finished:
        return finished.value  # type: ignore[no-any-return]
    # Awaiting a future marks it "being awaited" until a task takes it over; clear that now, as another
    # field may await the same loader future before `_finish` runs (a Task clears it the same way).
    if waiting_on is not None:
        waiting_on._asyncio_future_blocking = False
    return _finish(work, waiting_on)


async def _finish(work: Coroutine[Any, Any, ValueT], waiting_on: Any) -> ValueT:
    """Drive `work` on from where `eagerly` left it, as a Task would: wait for what it yielded (a future,
    or None for a bare yield), then resume it; what interrupts the wait is thrown into it."""
    while True:
        try:
            if waiting_on is None:
                await asyncio.sleep(0)
            else:
                waiting_on._asyncio_future_blocking = False
                # Settled, its result or error left for `work`. Unlike a Task, a cancellation here
                # does not cancel it: a loader's future is shared by every field that loads its key.
                await asyncio.wait([waiting_on])
        except BaseException as interruption:  # cancelled while waiting: `work` decides, as in a Task
            try:
                waiting_on = work.throw(interruption)
            except StopIteration as finished:
                return finished.value  # type: ignore[no-any-return]
            continue
        try:
            waiting_on = work.send(None)
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]


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


async def _accounts_by_id(ids: Sequence[int]) -> list[Account | None]:
    found = {account.id: account for account in await _ACCOUNTS.fetch(_distinct(ids))}
    return [found.get(pk) for pk in ids]


async def _members_by_id(ids: Sequence[int]) -> list[Member | None]:
    found = {member.id: member for member in await Member.filter(id__in=set(ids))}
    return [found.get(pk) for pk in ids]


_GRANTS = PreparedQuery(PermissionGrant, lambda ids: PermissionGrant.filter(member_id__in=ids))


async def _grants_by_member(ids: Sequence[int]) -> list[list[Permission]]:
    grants: dict[int, list[Permission]] = defaultdict(list)
    for grant in await _GRANTS.fetch(_distinct(ids)):
        grants[grant.member_id].append(Permission(grant.permission))
    return [grants[pk] for pk in ids]


async def _sessions_by_member(ids: Sequence[int]) -> list[list[Session]]:
    sessions: dict[int, list[Session]] = defaultdict(list)
    for session in await Session.filter(member_id__in=set(ids), revoked_at=None).order_by("-created_at"):
        sessions[session.member_id].append(session)
    return [sessions[pk] for pk in ids]


async def _primary_by_account(ids: Sequence[int]) -> list[Member | None]:
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


async def _member_pages(keys: Sequence[PageKey]) -> list[Page[Member]]:
    # A request asks for one page of one account; different pages are separate queries.
    return [await _page(_MEMBER_PAGES, key) for key in keys]


async def _member_counts(ids: Sequence[int]) -> list[int]:
    rows = (
        await visible_members(ids)
        .annotate(total=Count("id"))
        .group_by("account_id")
        .values_list("account_id", "total")
    )
    counts = {int(account_id): int(total) for account_id, total in rows}
    return [counts.get(pk, 0) for pk in ids]


async def _activity_pages(keys: Sequence[PageKey]) -> list[Page[ActivityEvent]]:
    return [await _page(_ACTIVITY_PAGES, key) for key in keys]


async def _activity_counts(ids: Sequence[int]) -> list[int]:
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


async def _statements_by_id(ids: Sequence[int]) -> list[Statement | None]:
    return await _rows_by_id(Statement, ids)


async def _payment_methods_by_id(ids: Sequence[int]) -> list[PaymentMethod | None]:
    # Removed methods too: a past payment still names the method it used.
    return await _rows_by_id(PaymentMethod, ids)


_LINE_ITEMS = PreparedQuery(LineItem, lambda ids: LineItem.filter(statement_id__in=ids).order_by("id"))


async def _line_items_by_statement(ids: Sequence[int]) -> list[list[LineItem]]:
    items: dict[int, list[LineItem]] = defaultdict(list)
    for item in await _LINE_ITEMS.fetch(_distinct(ids)):
        items[item.statement_id].append(item)
    return [items[pk] for pk in ids]


_OPEN_STATEMENTS = PreparedQuery(
    Statement, lambda ids: Statement.filter(account_id__in=ids, status=StatementStatus.OPEN)
)


async def _open_statements_by_account(ids: Sequence[int]) -> list[list[Statement]]:
    statements: dict[int, list[Statement]] = defaultdict(list)
    for statement in await _OPEN_STATEMENTS.fetch(_distinct(ids)):
        statements[statement.account_id].append(statement)
    return [statements[pk] for pk in ids]


async def _payment_methods_by_account(ids: Sequence[int]) -> list[list[PaymentMethod]]:
    methods: dict[int, list[PaymentMethod]] = defaultdict(list)
    for method in await PaymentMethod.filter(account_id__in=set(ids), removed_at=None).order_by("id"):
        methods[method.account_id].append(method)
    return [methods[pk] for pk in ids]


async def _autopay_by_account(ids: Sequence[int]) -> list[AutopayEnrollment | None]:
    found = {row.account_id: row for row in await AutopayEnrollment.filter(account_id__in=set(ids))}
    return [found.get(pk) for pk in ids]


async def _statement_pages(keys: Sequence[PageKey]) -> list[Page[Statement]]:
    return [await _page(_STATEMENT_PAGES, key) for key in keys]


async def _payment_pages(keys: Sequence[PageKey]) -> list[Page[Payment]]:
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


async def _statement_counts(ids: Sequence[int]) -> list[int]:
    return await _counts_by_account(Statement, ids)


async def _payment_counts(ids: Sequence[int]) -> list[int]:
    return await _counts_by_account(Payment, ids)


class Loaders:
    """The request's loaders, each made on first use: a request touches a few of these, and making
    all of them for every request cost more than some of the queries they save."""

    @cached_property
    def member_by_id(self) -> DataLoader[int, Member | None]:
        return DataLoader(load_fn=_members_by_id)

    @cached_property
    def primary_by_account(self) -> DataLoader[int, Member | None]:
        return DataLoader(load_fn=_primary_by_account)

    @cached_property
    def grants_by_member(self) -> DataLoader[int, list[Permission]]:
        return DataLoader(load_fn=_grants_by_member)

    @cached_property
    def sessions_by_member(self) -> DataLoader[int, list[Session]]:
        return DataLoader(load_fn=_sessions_by_member)

    @cached_property
    def member_page(self) -> DataLoader[PageKey, Page[Member]]:
        return DataLoader(load_fn=_member_pages)

    @cached_property
    def member_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=_member_counts)

    @cached_property
    def activity_page(self) -> DataLoader[PageKey, Page[ActivityEvent]]:
        return DataLoader(load_fn=_activity_pages)

    @cached_property
    def activity_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=_activity_counts)

    @cached_property
    def statement_by_id(self) -> DataLoader[int, Statement | None]:
        return DataLoader(load_fn=_statements_by_id)

    @cached_property
    def payment_method_by_id(self) -> DataLoader[int, PaymentMethod | None]:
        return DataLoader(load_fn=_payment_methods_by_id)

    @cached_property
    def line_items_by_statement(self) -> DataLoader[int, list[LineItem]]:
        return DataLoader(load_fn=_line_items_by_statement)

    @cached_property
    def open_statements_by_account(self) -> DataLoader[int, list[Statement]]:
        return DataLoader(load_fn=_open_statements_by_account)

    @cached_property
    def payment_methods_by_account(self) -> DataLoader[int, list[PaymentMethod]]:
        return DataLoader(load_fn=_payment_methods_by_account)

    @cached_property
    def autopay_by_account(self) -> DataLoader[int, AutopayEnrollment | None]:
        return DataLoader(load_fn=_autopay_by_account)

    @cached_property
    def statement_page(self) -> DataLoader[PageKey, Page[Statement]]:
        return DataLoader(load_fn=_statement_pages)

    @cached_property
    def statement_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=_statement_counts)

    @cached_property
    def payment_count_by_account(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=_payment_counts)

    @cached_property
    def services_by_account(self) -> DataLoader[int, list[Service]]:
        return DataLoader(load_fn=services_by_account)

    @cached_property
    def usage_by_service_period(self) -> DataLoader[UsageKey, DataUsage | None]:
        return DataLoader(load_fn=usage_by_service_period)

    @cached_property
    def appointments_by_account(self) -> DataLoader[int, list[Appointment]]:
        return DataLoader(load_fn=appointments_by_account)

    @cached_property
    def api_keys_by_account(self) -> DataLoader[int, list[ApiKey]]:
        return DataLoader(load_fn=live_keys_by_account)

    @cached_property
    def account_by_id(self) -> DataLoader[int, Account | None]:
        # Loads the rows autopay_by_account would query again, and hands them over (primes).
        return DataLoader(load_fn=self._accounts_priming_autopay)

    @cached_property
    def payment_page(self) -> DataLoader[PageKey, Page[Payment]]:
        return DataLoader(load_fn=_payment_pages)

    def prime_account(self, account: Account) -> None:
        """An account row read with its autopay enrolment (select_related) by someone else."""
        self.account_by_id.prime(account.id, account)
        self._prime_autopay(account)

    def _prime_autopay(self, account: Account) -> None:
        self.autopay_by_account.prime(account.id, account.autopay)  # type: ignore[attr-defined]

    def close(self) -> None:
        """Drop every loader made and what it cached, when the request is answered. Two loaders hold a
        bound method of this object and every cached future holds its rows: without this, a request
        leaves hundreds of objects in cycles for the garbage collector to find."""
        for loader in [value for value in vars(self).values() if isinstance(value, DataLoader)]:
            loader.clear_all()
        vars(self).clear()

    async def _accounts_priming_autopay(self, ids: Sequence[int]) -> list[Account | None]:
        accounts = await _accounts_by_id(ids)
        for account in accounts:
            if account is not None:
                self._prime_autopay(account)
        return accounts
