"""DataLoaders, built fresh for every request: one IN query per batch, results in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.access import Permission
from models.accounts import Account
from models.activity import ActivityEvent
from models.members import Member, PermissionGrant
from models.security import Session

RowT = TypeVar("RowT")
ModelT = TypeVar("ModelT", bound=Model)


class PageKey(NamedTuple):
    """One page of a parent's list: the rows after `after_id`, `first` of them."""

    parent_id: int
    first: int
    after_id: int | None


class Page(NamedTuple, Generic[RowT]):
    rows: list[RowT]
    has_next: bool


async def _accounts_by_id(ids: Sequence[int]) -> list[Account | None]:
    found = {account.id: account for account in await Account.filter(id__in=set(ids))}
    return [found.get(pk) for pk in ids]


async def _members_by_id(ids: Sequence[int]) -> list[Member | None]:
    found = {member.id: member for member in await Member.filter(id__in=set(ids))}
    return [found.get(pk) for pk in ids]


async def _grants_by_member(ids: Sequence[int]) -> list[list[Permission]]:
    grants: dict[int, list[Permission]] = defaultdict(list)
    rows = await PermissionGrant.filter(member_id__in=set(ids)).values_list("member_id", "permission")
    for member_id, permission in rows:
        grants[int(member_id)].append(Permission(permission))
    return [grants[pk] for pk in ids]


async def _sessions_by_member(ids: Sequence[int]) -> list[list[Session]]:
    sessions: dict[int, list[Session]] = defaultdict(list)
    for session in await Session.filter(member_id__in=set(ids), revoked_at=None).order_by("-created_at"):
        sessions[int(session.member_id)].append(session)  # type: ignore[attr-defined]
    return [sessions[pk] for pk in ids]


async def _primary_by_account(ids: Sequence[int]) -> list[Member | None]:
    found = {
        int(member.account_id): member  # type: ignore[attr-defined]
        for member in await Member.filter(account_id__in=set(ids), role="PRIMARY")
    }
    return [found.get(pk) for pk in ids]


def visible_members(account_ids: Sequence[int]) -> QuerySet[Member]:
    """Members shown in the account's list: everyone but removed members."""
    return Member.filter(account_id__in=set(account_ids), removed_at=None)


async def _page(query: QuerySet[ModelT], key: PageKey, *, newest_first: bool) -> Page[ModelT]:
    """One keyset page: the rows after the cursor's id, and whether more follow."""
    query = query.order_by("-id" if newest_first else "id")
    if key.after_id is not None:
        query = query.filter(id__lt=key.after_id) if newest_first else query.filter(id__gt=key.after_id)
    rows = await query.limit(key.first + 1)
    return Page(rows=rows[: key.first], has_next=len(rows) > key.first)


async def _member_pages(keys: Sequence[PageKey]) -> list[Page[Member]]:
    # A request asks for one page of one account; different pages are separate queries.
    return [await _page(visible_members([key.parent_id]), key, newest_first=False) for key in keys]


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
    return [
        await _page(ActivityEvent.filter(account_id=key.parent_id), key, newest_first=True) for key in keys
    ]


async def _activity_counts(ids: Sequence[int]) -> list[int]:
    rows = (
        await ActivityEvent.filter(account_id__in=set(ids))
        .annotate(total=Count("id"))
        .group_by("account_id")
        .values_list("account_id", "total")
    )
    counts = {int(account_id): int(total) for account_id, total in rows}
    return [counts.get(pk, 0) for pk in ids]


@dataclass
class Loaders:
    account_by_id: DataLoader[int, Account | None] = field(
        default_factory=lambda: DataLoader(load_fn=_accounts_by_id)
    )
    member_by_id: DataLoader[int, Member | None] = field(
        default_factory=lambda: DataLoader(load_fn=_members_by_id)
    )
    primary_by_account: DataLoader[int, Member | None] = field(
        default_factory=lambda: DataLoader(load_fn=_primary_by_account)
    )
    grants_by_member: DataLoader[int, list[Permission]] = field(
        default_factory=lambda: DataLoader(load_fn=_grants_by_member)
    )
    sessions_by_member: DataLoader[int, list[Session]] = field(
        default_factory=lambda: DataLoader(load_fn=_sessions_by_member)
    )
    member_page: DataLoader[PageKey, Page[Member]] = field(
        default_factory=lambda: DataLoader(load_fn=_member_pages)
    )
    member_count_by_account: DataLoader[int, int] = field(
        default_factory=lambda: DataLoader(load_fn=_member_counts)
    )
    activity_page: DataLoader[PageKey, Page[ActivityEvent]] = field(
        default_factory=lambda: DataLoader(load_fn=_activity_pages)
    )
    activity_count_by_account: DataLoader[int, int] = field(
        default_factory=lambda: DataLoader(load_fn=_activity_counts)
    )
