"""Loaders.close: a request's loaders and what they cached are dropped when it is answered."""

from __future__ import annotations

import gc

from schema.loaders import Loaders
from tests.support import make_account


async def test_closing_drops_every_loader_and_leaves_no_cycle() -> None:
    """After close, the loaders made during the request are gone, and nothing is left for the collector."""
    # given a request's loaders that loaded an account (its loader holds a method of the Loaders)
    account = await make_account()
    loaders = Loaders()
    assert (await loaders.account_by_id.load(account.id)) is not None
    assert loaders.autopay_by_account.cache_map.get(account.id) is not None  # primed by account_by_id
    gc.collect()
    # when
    loaders.close()
    del loaders
    # then no garbage in cycles remains from them
    assert gc.collect() == 0


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
