"""eagerly and load_all: a resolver's coroutine finishes at once when every load it awaits is done, and
otherwise behaves as the coroutine it wraps (its value, its errors, its cancellation), with the keys of
load_all in one batch."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import pytest
from strawberry.dataloader import DataLoader

from schema.fastpath.eagerly import MaybeAwaitable, eagerly, load_all

T = TypeVar("T")


class Squares:
    """A DataLoader over a plain async function that records the batches it was asked for."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.loader: DataLoader[int, int] = DataLoader(load_fn=self._load)

    async def _load(self, keys: Sequence[int]) -> list[int]:
        self.batches.append(list(keys))
        return [key * key for key in keys]


class Failing:
    """A DataLoader whose every batch fails."""

    def __init__(self) -> None:
        self.loader: DataLoader[int, int] = DataLoader(load_fn=self._load)

    async def _load(self, keys: Sequence[int]) -> list[int]:
        raise LookupError(f"no rows for {list(keys)}")


def at_once(result: MaybeAwaitable[T]) -> T:
    """The value `eagerly` handed back without anything to await."""
    assert not isinstance(result, Awaitable), result
    return result


def still_running(result: MaybeAwaitable[T]) -> Awaitable[T]:
    """The awaitable `eagerly` handed back for a coroutine that suspended."""
    assert isinstance(result, Awaitable), result
    return result


async def sum_of_squares(loader: DataLoader[int, int], keys: list[int]) -> int:
    return sum(await load_all(loader, keys))


async def test_a_primed_load_gives_the_value_without_an_awaitable() -> None:
    """A coroutine whose only load was primed finishes inside `eagerly`: the value, and no batch runs."""
    # given
    squares = Squares()
    squares.loader.prime(7, 49)

    async def resolve() -> int:
        return await squares.loader.load(7) + 1

    # when
    result = eagerly(resolve())
    # then
    assert at_once(result) == 50
    await asyncio.sleep(0)  # a batch, had one been scheduled, would have run by now
    assert squares.batches == []


async def test_loads_done_earlier_give_the_value_without_an_awaitable() -> None:
    """load_all over keys this request already loaded does not suspend: `eagerly` returns the sum."""
    # given
    squares = Squares()
    await load_all(squares.loader, [1, 2, 3])
    # when
    result = eagerly(sum_of_squares(squares.loader, [3, 2, 1, 2]))
    # then
    assert at_once(result) == 9 + 4 + 1 + 4
    assert squares.batches == [[1, 2, 3]]


async def test_a_coroutine_without_any_await_gives_its_value_at_once() -> None:
    """Nothing to wait for at all: the value comes back as it is, even None."""

    # given
    async def resolve() -> None:
        return None

    # when
    result = eagerly(resolve())
    # then
    assert result is None


async def test_a_pending_load_gives_an_awaitable_with_the_value() -> None:
    """Loads not yet made: `eagerly` hands back an awaitable that gives the coroutine's value."""
    # given
    squares = Squares()
    # when
    result = still_running(eagerly(sum_of_squares(squares.loader, [2, 3])))
    # then
    assert await result == 4 + 9


async def test_load_all_puts_every_key_in_one_batch() -> None:
    """Every key of load_all joins the batch before the first await: one load_fn call, keys in order,
    a repeated key asked once, the values in key order."""
    # given
    squares = Squares()

    async def resolve() -> list[int]:
        return await load_all(squares.loader, [5, 1, 4, 1, 3])

    # when
    values = await still_running(eagerly(resolve()))
    # then
    assert values == [25, 1, 16, 1, 9]
    assert squares.batches == [[5, 1, 4, 3]]


async def test_loads_of_several_eager_resolvers_share_one_batch() -> None:
    """Two resolvers started before either is awaited load in the same batch, as two tasks would."""
    # given
    squares = Squares()
    # when
    first = still_running(eagerly(sum_of_squares(squares.loader, [1, 2])))
    second = still_running(eagerly(sum_of_squares(squares.loader, [2, 3])))
    # then
    assert await first == 1 + 4
    assert await second == 4 + 9
    assert squares.batches == [[1, 2, 3]]


async def test_two_resolvers_awaiting_the_same_pending_load_both_get_its_value() -> None:
    """Two resolvers started one after the other, each awaiting the same key not loaded yet (the same
    cached future), both finish with its value, as two tasks would."""
    # given
    squares = Squares()

    async def resolve() -> int:
        return await squares.loader.load(6)

    # when: each in a task at once, so neither is left unawaited should the other fail
    first = asyncio.ensure_future(still_running(eagerly(resolve())))
    second = asyncio.ensure_future(still_running(eagerly(resolve())))
    # then
    assert [await first, await second] == [36, 36]
    assert squares.batches == [[6]]


async def test_a_coroutine_suspending_several_times_is_driven_to_its_end() -> None:
    """A bare yield (asyncio.sleep(0)) and loads of two rounds: each is waited for, then the value."""
    # given
    squares = Squares()

    async def resolve() -> int:
        await asyncio.sleep(0)
        first = await squares.loader.load(2)
        return await squares.loader.load(first) + first

    # when
    result = still_running(eagerly(resolve()))
    # then
    assert await result == 16 + 4
    assert squares.batches == [[2], [4]]


async def test_an_error_before_any_suspension_is_raised_by_eagerly() -> None:
    """A coroutine that fails before it awaits anything raises its error from the `eagerly` call."""

    # given
    async def resolve() -> int:
        raise ValueError("bad argument")

    # when / then
    with pytest.raises(ValueError, match="bad argument"):
        eagerly(resolve())


async def test_an_error_after_a_suspension_is_raised_by_the_awaitable() -> None:
    """A coroutine that fails once its load came back raises its error where it is awaited."""
    # given
    squares = Squares()

    async def resolve() -> int:
        value = await squares.loader.load(3)
        raise ValueError(f"cannot show {value}")

    result = still_running(eagerly(resolve()))
    # when / then
    with pytest.raises(ValueError, match="cannot show 9"):
        await result


async def test_a_failed_load_raises_inside_the_coroutine_which_may_handle_it() -> None:
    """The load's error reaches the coroutine at its await, as in a task: it may catch it and answer."""
    # given
    failing = Failing()

    async def resolve() -> str:
        try:
            return str(await failing.loader.load(1))
        except LookupError as error:
            return f"missing: {error}"

    # when
    result = still_running(eagerly(resolve()))
    # then
    assert await result == "missing: no rows for [1]"


async def test_a_failed_load_not_handled_is_raised_by_the_awaitable() -> None:
    """A load's error the coroutine does not catch comes out of the awaitable unchanged."""
    # given
    failing = Failing()

    async def resolve() -> int:
        return await failing.loader.load(2)

    result = still_running(eagerly(resolve()))
    # when / then
    with pytest.raises(LookupError, match=r"no rows for \[2\]"):
        await result


async def test_cancelling_the_awaiting_task_cancels_the_inner_work() -> None:
    """A task awaiting the awaitable is cancelled: the coroutine sees CancelledError at its await (its
    cleanup runs) and the task ends cancelled."""
    # given a coroutine waiting on a future nobody completes, run by a task
    never: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    seen: list[str] = []

    async def resolve() -> int:
        try:
            return await never
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        finally:
            seen.append("cleaned up")

    task = asyncio.ensure_future(still_running(eagerly(resolve())))
    await asyncio.sleep(0)
    assert not task.done()
    # when
    task.cancel()
    # then
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert seen == ["cancelled", "cleaned up"]


async def test_a_coroutine_that_catches_its_cancellation_decides_the_result() -> None:
    """As in a task, a coroutine may answer its cancellation: the awaiting task gets that answer."""
    # given
    never: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def resolve() -> int:
        try:
            return await never
        except asyncio.CancelledError:
            return -1

    task = asyncio.ensure_future(still_running(eagerly(resolve())))
    await asyncio.sleep(0)
    # when
    task.cancel()
    # then
    assert await task == -1


@pytest.mark.parametrize("seconds", [3600, 0], ids=["while-sleeping", "during-a-bare-yield"])
async def test_cancelling_while_the_coroutine_gives_way_cancels_it(seconds: int) -> None:
    """Cancelled while the coroutine waits on asyncio.sleep (a future) or gives way with a bare yield
    (asyncio.sleep(0)): it sees CancelledError there, never resumes, and the task ends cancelled."""
    # given
    seen: list[str] = []

    async def resolve() -> int:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        seen.append("resumed")
        return 0

    task = asyncio.ensure_future(still_running(eagerly(resolve())))
    await asyncio.sleep(0)  # the task starts and waits on what the coroutine yielded
    # when
    task.cancel()
    # then
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled"]


async def test_a_failed_batch_raises_once_and_leaves_no_error_unread() -> None:
    """load_all over a failing batch raises its error, and asyncio logs none of the other keys' copies
    as never retrieved when their futures go."""
    # given
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    failing = Failing()
    try:
        # when
        raised = ""
        try:
            await load_all(failing.loader, [1, 2, 3])
        except LookupError as error:  # not pytest.raises: its record would keep the futures alive
            raised = str(error)
        failing.loader.clear_all()
        del failing
        for _ in range(3):  # the batch's task lets go of its futures once the loop has run it out
            await asyncio.sleep(0)
            gc.collect()
    finally:
        loop.set_exception_handler(previous)
    # then
    assert raised == "no rows for [1, 2, 3]"
    assert [context["message"] for context in reported] == []
