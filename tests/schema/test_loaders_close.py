"""Loaders.close: a request's loaders and what they cached are dropped when it is answered."""

from __future__ import annotations

import gc
import weakref

from schema.loaders import Loaders
from tests.support import make_account


async def test_closing_drops_every_loader_and_leaves_no_cycle() -> None:
    """After close, reference counting alone frees the request's loaders: no cycle is left behind."""
    # given a request's loaders that loaded an account (its loader holds a method of the Loaders)
    account = await make_account()
    loaders = Loaders()
    assert (await loaders.account_by_id.load(account.id)) is not None
    assert loaders.autopay_by_account.cache_map.get(account.id) is not None  # primed by account_by_id
    released = weakref.ref(loaders)
    gc.disable()
    try:
        # when
        loaders.close()
        del loaders
        # then, with no collection run, the object is gone already
        assert released() is None
    finally:
        gc.enable()


async def test_a_closed_loaders_makes_fresh_loaders_on_use() -> None:
    """Reading a loader after close makes a new, empty one rather than failing."""
    # given
    account = await make_account()
    loaders = Loaders()
    await loaders.account_by_id.load(account.id)
    # when
    loaders.close()
    # then
    assert loaders.autopay_by_account.cache_map.get(account.id) is None
    assert (await loaders.account_by_id.load(account.id)) is not None
