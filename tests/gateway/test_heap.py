"""The server's collector settings: what start-up made is frozen, later cyclic garbage still collected."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gateway.app import Resources, create_app
from gateway.heap import settle_after_startup
from gateway.settings import Settings
from models.security.passwords import Passwords


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


@pytest.mark.usefixtures("restored_collector")
async def test_the_app_settles_its_heap_when_its_resources_are_handed_in(
    settings: Settings, passwords: Passwords
) -> None:
    """`gateway serve` opens the database and the queue itself and hands them to the app: its start-up
    still freezes what start-up made, as the Procfile's web process does."""
    # given the app as `gateway serve` builds it, nothing frozen yet
    gc.unfreeze()
    app = create_app(settings, Resources(passwords=passwords, queue=None, redis=None))
    # when it starts
    async with app.router.lifespan_context(app):
        # then what start-up made is frozen
        assert gc.get_freeze_count() > 0
