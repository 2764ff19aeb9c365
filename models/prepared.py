"""Prepared reads for the hot path: tortoise builds a query's SQL once per shape, each call binds new values.

Building SQL through tortoise and pypika costs more than running a small indexed query (about
0.1-0.4 ms a statement here, most of a dashboard request's database time), so the reads every
request makes (the session, the dashboard's pages) build theirs once. The SQL, its joins and the
row-to-model conversion are still tortoise's own: `build` is an ordinary queryset.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet

ModelT = TypeVar("ModelT", bound=Model)
Arg = int | str | Sequence[int]

# (which argument, which item of a list argument or None) for a bound value; a constant otherwise.
Slot = tuple[int, int | None] | tuple[None, Any]

_SENTINEL_BASE = 7_318_512_904_000_000  # positive, as a LIMIT must be


@dataclass(frozen=True)
class _Shape:
    sql: str
    slots: tuple[Slot, ...]
    select_related_idx: list[Any] | None

    def bind(self, args: Sequence[Arg]) -> list[Any]:
        values: list[Any] = []
        for argument, item in self.slots:
            if argument is None:
                values.append(item)
            elif item is None:
                values.append(args[argument])
            else:
                values.append(args[argument][item])  # type: ignore[index]
        return values


class PreparedQuery(Generic[ModelT]):
    """`build(*args)` returns the queryset; each argument (an int, a str, or a list of ints for an IN)
    must reach the SQL as a bound value exactly once, as is: an equality or IN filter or a limit, not a
    LIKE pattern (`startswith`) nor an enum field's value (keep those constant in `build`).
    `fetch(*args)` runs it for new arguments."""

    def __init__(self, model: type[ModelT], build: Callable[..., QuerySet[ModelT]]) -> None:
        self.model = model
        self.build = build
        self._shapes: dict[tuple[str, tuple[int | None, ...]], _Shape] = {}

    async def fetch(self, *args: Arg) -> list[ModelT]:
        db: BaseDBAsyncClient = self.model._choose_db()
        lengths = tuple(None if isinstance(arg, int | str) else len(arg) for arg in args)
        key = (db.connection_name, lengths)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = self._prepare(db, args)
        executor = db.executor_class(model=self.model, db=db, select_related_idx=shape.select_related_idx)
        rows: list[ModelT] = await executor.execute_select(shape.sql, shape.bind(args))
        return rows

    def _prepare(self, db: BaseDBAsyncClient, args: Sequence[Arg]) -> _Shape:
        counter = itertools.count()
        where: dict[Any, Slot] = {}

        def sentinel(argument: int, item: int | None, like: int | str) -> int | str:
            number = next(counter)
            # Short, so a string stand-in passes a CharField's max_length while the SQL is built.
            value: int | str = f"\x00{number}" if isinstance(like, str) else _SENTINEL_BASE + number
            where[value] = (argument, item)
            return value

        stand_ins = [
            sentinel(index, None, arg)
            if isinstance(arg, int | str)
            else [sentinel(index, item, 0) for item in range(len(arg))]
            for index, arg in enumerate(args)
        ]
        query = self.build(*stand_ins).using_db(db)
        if query._prefetch_map or query._annotations or query._fields_for_select:
            # fetch() runs tortoise's plain row path only: these would be dropped without a word.
            raise ValueError("prefetch_related, annotate and only cannot be prepared")
        query._make_query()
        sql, params = query.query.get_parameterized_sql()
        slots = tuple(where.get(param, (None, param)) for param in params)
        bound = [slot for slot in slots if slot[0] is not None]
        if sorted(bound, key=repr) != sorted(where.values(), key=repr):
            raise ValueError(f"every argument must be bound exactly once in {sql!r}")
        # Only the queried model itself: no join to split rows for, and tortoise's plain row path is cheaper.
        joined = query._select_related_idx if len(query._select_related_idx) > 1 else None
        return _Shape(sql=sql, slots=slots, select_related_idx=joined)
