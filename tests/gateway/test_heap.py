"""The server's collector settings: what start-up made is frozen, later cyclic garbage still collected."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gateway.heap import settle_after_startup


@pytest.fixture
def restored_collector() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("restored_collector")
def test_settling_freezes_what_start_up_made() -> None:
    """Everything alive at start-up leaves the collector's sight; cyclic garbage is still collected."""
    # given an object made at start-up
    kept: list[object] = [object()]  # a list is always tracked by the collector
    # when
    settle_after_startup()
    # then it is frozen
    assert gc.get_freeze_count() > 0
    assert gc.is_tracked(kept)
    assert all(tracked is not kept for tracked in gc.get_objects())  # the frozen are not listed
    # and garbage in a cycle made afterwards is still collected
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
