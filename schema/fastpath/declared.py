"""What a fast field loads, declared where the field is defined: its permission, its loader, how the key
comes from its arguments, and the loads that hang from its rows. The field's resolver loads through its
declaration and the field takes its permission from it, so the look-ahead (prefetch.py), which reads the
declarations off the parent type's fields, loads exactly what the field will: one definition of each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

from schema.batches import PageKey
from schema.fastpath.eagerly import load_all
from schema.fastpath.lookahead import selects
from schema.loaders import Loaders
from schema.node import page_arguments
from schema.permissions import Info

KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")
RowT = TypeVar("RowT")

# Where a connection's rows are selected, below its field.
NODES = ("edges", "node")
_METADATA_KEY = "schema.fastpath.declared"


@dataclass(frozen=True)
class RowLoad(Generic[RowT, KeyT, ValueT]):
    """A load for each row of a page, made when the selection below a row reaches `path`."""

    path: tuple[str, ...]
    loader: Callable[[Loaders], DataLoader[KeyT, ValueT]]
    key: Callable[[RowT], KeyT]

    def load(self, info: Info, row: RowT) -> Awaitable[ValueT]:
        """The value of one row (a resolver of the row's field)."""
        return self.loader(info.context.loaders).load(self.key(row))

    async def load_rows(self, info: Info, rows: Sequence[RowT], *rows_at: str) -> list[ValueT] | None:
        """Every row's value in one batch, or None when the selection at `rows_at` (GraphQL names from
        the current field down to a row) does not reach `path`."""
        if not rows or not selects(info, *rows_at, *self.path):
            return None
        return await load_all(self.loader(info.context.loaders), [self.key(row) for row in rows])

    def start(self, loaders: Loaders, rows: Sequence[RowT]) -> list[Awaitable[ValueT]]:
        """The loads of every row, started (the look-ahead's second round)."""
        loader = self.loader(loaders)
        return [loader.load(self.key(row)) for row in rows]


@dataclass(frozen=True)
class LoadAhead(Generic[KeyT, ValueT]):
    """The load of a field of a parent (the account): the one permission the field has, its loader, and
    its key from the parent's id and the field's arguments (Python names; raising ApiError when they are
    refused). `then` hangs from the rows of the loaded Page, selected at `rows_at` below the field."""

    permission: type[BasePermission]
    loader: Callable[[Loaders], DataLoader[KeyT, ValueT]]
    key: Callable[..., KeyT]
    rows_at: tuple[str, ...] = NODES
    then: tuple[RowLoad[Any, Any, Any], ...] = ()

    def load(self, info: Info, parent_id: int, **arguments: Any) -> Awaitable[ValueT]:
        """What the field loads for these arguments (its resolver's load)."""
        return self.start(info.context.loaders, parent_id, arguments)

    def start(self, loaders: Loaders, parent_id: int, arguments: dict[str, Any]) -> Awaitable[ValueT]:
        return self.loader(loaders).load(self.key(parent_id, **arguments))

    def field(self, **options: Any) -> Any:
        """The strawberry field (a decorator, as `strawberry.field(...)`) guarded by this declaration's
        permission, and carrying the declaration for the look-ahead."""
        return strawberry.field(
            permission_classes=[self.permission], metadata={_METADATA_KEY: self}, **options
        )


def declaration_of(field: StrawberryField) -> LoadAhead[Any, Any] | None:
    found = field.metadata.get(_METADATA_KEY)
    return found if isinstance(found, LoadAhead) else None


def by_parent(parent_id: int) -> int:
    """The key of a field without arguments that loads by its parent's id."""
    return parent_id


def page_key(default: int) -> Callable[..., PageKey]:
    """The key of a connection field's page: `first` (its default when null) rows after the cursor."""

    def key(parent_id: int, first: int | None = default, after: str | None = None) -> PageKey:
        size, after_id = page_arguments(first, after, default=default)
        return PageKey(parent_id, size, after_id)

    return key
