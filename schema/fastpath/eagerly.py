"""Resolving a field without a task when its loads are done: `eagerly` runs a resolver's coroutine at once
and `load_all` batches keys without asyncio.gather. They lean on asyncio's future protocol
(`_asyncio_future_blocking`), a private API: it lives here, in schema/fastpath/, with the look-ahead's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Sequence
from typing import Any, TypeAlias, TypeVar

from strawberry.dataloader import DataLoader

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
    awaits was done: the account's loads ran ahead, schema/fastpath/prefetch.py), else an awaitable
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
