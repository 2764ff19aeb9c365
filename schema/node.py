"""The Node interface, PageInfo, and cursor pagination helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import strawberry

from schema.errors import bad_input
from schema.ids import pk_of, to_global_id

MAX_PAGE_SIZE = 100
T = TypeVar("T")


class Edge(Protocol):
    @property
    def cursor(self) -> str: ...


@strawberry.interface
class Node:
    @strawberry.field
    def id(self) -> strawberry.ID:
        raise NotImplementedError


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


CURSOR = "cursor"


def cursor_for(pk: int) -> str:
    """Opaque like the global IDs, and made the same way."""
    return to_global_id(CURSOR, pk)


def given(value: T | None) -> T | None:
    """An optional argument or input field: None when it was left out (UNSET) or null."""
    return None if value is None or value is strawberry.UNSET else value


def page_arguments(first: int | None, after: str | None, default: int) -> tuple[int, int | None]:
    """Validated `first` and the id after which the page starts; BAD_USER_INPUT otherwise."""
    first = default if first is None else first
    after = given(after)
    if first < 0 or first > MAX_PAGE_SIZE:
        raise bad_input(f"`first` must be between 0 and {MAX_PAGE_SIZE}.")
    if after is None:
        return first, None
    after_id = pk_of(after, CURSOR)
    if after_id is None:
        raise bad_input("`after` is not a cursor this API gave out.")
    return first, after_id


def page_info(edges: Sequence[Edge], has_next: bool) -> PageInfo:
    return PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None)
