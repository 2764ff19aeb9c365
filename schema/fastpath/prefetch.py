"""The account's children, loaded ahead and together before its fields resolve.

The `account` field knows what its selection asks for. Loading that here, in two rounds of batched
loads (what the fields load, then what hangs from their pages' rows), lets each field below finish
synchronously (`schema.fastpath.eagerly`): no task, no suspension and no gather per field. What each
field loads is declared on it (schema/fastpath/declared.py: its permission, loader and key); this reads
those declarations and names no field. The fields do not depend on it: whatever was not loaded ahead
(a field without a declaration, a permission the caller lacks, an argument that does not validate)
they load, or refuse, themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from inspect import isawaitable
from typing import Any

from strawberry.types.field import StrawberryField

from schema.batches import Page
from schema.errors import ApiError
from schema.fastpath.declared import RowLoad, declaration_of
from schema.fastpath.lookahead import children
from schema.permissions import Info


async def load_ahead(info: Info, parent_id: int) -> None:
    """Start every load the selection below this field (of `parent_id`) will make, then wait for them,
    in two rounds."""
    loaders = info.context.loaders
    first_round: list[Awaitable[Any]] = []
    with_rows: list[tuple[Awaitable[Any], list[RowLoad[Any, Any, Any]]]] = []
    for child in children(info):
        declared = declaration_of(child.field) if child.field is not None else None
        if declared is None or not _allowed(child.field, info):
            continue
        try:
            load = declared.start(loaders, parent_id, child.python_arguments)
        except ApiError:  # refused arguments: the field reports them
            continue
        first_round.append(load)
        wanted = [then for then in declared.then if child.selects(*declared.rows_at, *then.path)]
        if wanted:
            with_rows.append((load, wanted))
    if not first_round:
        return
    # A failed load is left for its field to report: the account itself is not lost to it.
    await asyncio.gather(*first_round, return_exceptions=True)
    second_round = [
        each for load, wanted in with_rows for then in wanted for each in then.start(loaders, _rows(load))
    ]
    if second_round:
        await asyncio.gather(*second_round, return_exceptions=True)


def _allowed(field: StrawberryField | None, info: Info) -> bool:
    """Whether the field's own permission classes let the caller read it (with no source: the parent's
    fields do not look at it); an answer that must be awaited counts as no, the field decides."""
    for permission_class in field.permission_classes if field is not None else ():
        try:
            allowed = permission_class().has_permission(None, info)
        except ApiError:
            return False
        if isawaitable(allowed):
            if asyncio.iscoroutine(allowed):
                allowed.close()
            return False
        if not allowed:
            return False
    return True


def _rows(load: Awaitable[Any]) -> Sequence[Any]:
    """The rows of a page loaded without error; none otherwise."""
    if not (isinstance(load, asyncio.Future) and load.done() and not load.cancelled()):
        return ()
    if load.exception() is not None:
        return ()
    page = load.result()
    return page.rows if isinstance(page, Page) else ()
