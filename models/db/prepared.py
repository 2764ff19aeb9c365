"""Prepared reads for the hot path: tortoise builds a query's SQL once per shape, each call binds new values.

Building SQL through tortoise and pypika costs more than running a small indexed query (about
0.1-0.4 ms a statement here, most of a dashboard request's database time), so the reads every
request makes (the session, the dashboard's pages) build theirs once. The SQL and its joins are
still tortoise's own: `build` is an ordinary queryset.

Rows become models by a plan made once per shape (`_RowPlan`): the same values and conversions as
tortoise's `Model._init_from_db` and its executor's select_related splitting, without their per-row
dict building and lookups (3-4 us a row here, and 15 us for a joined row: a third of a dashboard's
database time). tests/models/test_prepared.py checks the models equal tortoise's own, field for field.
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


def _column_conversions(model: type[Model]) -> dict[str, tuple[str, Callable[[Any], Any] | None]]:
    """Each db column's attribute and conversion, as tortoise's `_init_from_db` has them: native values
    as they come, a default field's through its type (None stays None), the rest through to_python_value."""
    meta = model._meta
    found: dict[str, tuple[str, Callable[[Any], Any] | None]] = {}
    for key, attribute, _ in meta.db_native_fields:
        found[key] = (attribute, None)
    for key, attribute, field in meta.db_default_fields:
        found[key] = (attribute, _through(field.field_type))
    for key, attribute, field in meta.db_complex_fields:
        found[key] = (attribute, field.to_python_value)
    return found


def _through(field_type: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return value if value is None else field_type(value)

    return convert


@dataclass(frozen=True)
class _ModelColumns:
    """One model's run of a row's columns: its attributes and the conversions of the non-native ones."""

    model: type[Model]
    start: int
    stop: int
    attributes: tuple[str, ...]
    conversions: tuple[tuple[str, Callable[[Any], Any]], ...]
    state: tuple[tuple[str, Any], ...]  # what _init_from_db sets on every instance
    parent: int | None  # the index of the model this one hangs from, for a select_related one
    attribute: str  # its attribute there ("_payment_method")

    @classmethod
    def of(
        cls,
        model: type[Model],
        keys: Sequence[str],
        start: int,
        stop: int,
        parent: int | None,
        attribute: str,
    ) -> _ModelColumns:
        meta = model._meta
        known = _column_conversions(model)
        attributes: list[str] = []
        conversions: list[tuple[str, Callable[[Any], Any]]] = []
        for key in keys[start:stop]:
            column = key.split(".", 1)[1] if parent is not None else key
            if column not in known:
                raise ValueError(f"{model.__name__} has no column {column!r}: the row cannot be planned")
            attribute_name, convert = known[column]
            attributes.append(attribute_name)
            if convert is not None:
                conversions.append((attribute_name, convert))
        state = (
            ("_partial", False),
            ("_saved_in_db", True),
            ("_custom_generated_pk", meta.db_pk_column not in meta.generated_db_fields),
        )
        return cls(model, start, stop, tuple(attributes), tuple(conversions), state, parent, attribute)

    def build(self, values: Sequence[Any]) -> Model:
        instance = self.model.__new__(self.model)
        fields = instance.__dict__
        fields.update(self.state)
        fields["_await_when_save"] = {}
        fields.update(zip(self.attributes, values, strict=True))
        for name, convert in self.conversions:
            fields[name] = convert(fields[name])
        return instance


@dataclass(frozen=True)
class _RowPlan:
    """A row of one shape's SQL, split into its models: the queried one first, then each select_related."""

    columns: tuple[_ModelColumns, ...]

    @classmethod
    def of(cls, model: type[Model], keys: Sequence[str], select_related_idx: list[Any] | None) -> _RowPlan:
        if select_related_idx is None:
            return cls((_ModelColumns.of(model, keys, 0, len(keys), None, ""),))
        paths: dict[tuple[Any, ...], int] = {}
        columns: list[_ModelColumns] = []
        start = 0
        for index, (related, count, *_, path) in enumerate(select_related_idx):
            if count == 0:
                raise ValueError("select_related through only() fields cannot be prepared")
            parent = paths[tuple(path[:-1])] if index else None
            attribute = f"_{path[-1]}" if index else ""
            columns.append(_ModelColumns.of(related, keys, start, start + count, parent, attribute))
            paths[tuple(path)] = index
            start += count
        if start != len(keys):
            raise ValueError("the row has columns no model claims: it cannot be planned")
        return cls(tuple(columns))

    def build(self, row: Any) -> Any:
        """`row`: an asyncpg Record or a sqlite3 Row, each of which iterates over its values."""
        if len(self.columns) == 1:
            return self.columns[0].build(row)
        values = tuple(row)
        built: list[Model | None] = []
        for part in self.columns:
            mine = values[part.start : part.stop]
            parent = built[part.parent] if part.parent is not None else None
            # As tortoise's executor: a related model whose columns are all empty is None.
            instance = part.build(mine) if part.parent is None or any(mine) else None
            if parent is not None:
                object.__setattr__(parent, part.attribute, instance)
            built.append(instance)
        return built[0]


@dataclass
class _Shape:
    sql: str
    slots: tuple[Slot, ...]
    select_related_idx: list[Any] | None
    plan: _RowPlan | None = None

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
        _, rows = await db.execute_query(shape.sql, shape.bind(args))
        if not rows:
            return []
        if shape.plan is None:
            columns: list[str] = list(rows[0].keys())  # asyncpg Records and sqlite3 Rows alike
            shape.plan = _RowPlan.of(self.model, columns, shape.select_related_idx)
        build = shape.plan.build
        return [build(row) for row in rows]

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
        # Only the queried model itself: no join to split rows by.
        joined = query._select_related_idx if len(query._select_related_idx) > 1 else None
        return _Shape(sql=sql, slots=slots, select_related_idx=joined)
