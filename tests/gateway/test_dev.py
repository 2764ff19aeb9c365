"""`gateway serve` and `gateway worker` run on the event loop uvicorn itself would pick."""

from __future__ import annotations

import asyncio

import uvloop

from gateway.dev import run


async def running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_the_gateway_runs_on_uvloop() -> None:
    """uvloop, as `uvicorn` picks for the Procfile's web process: its loop costs less CPU a request."""
    # when
    loop = run(running_loop())
    # then
    assert isinstance(loop, uvloop.Loop)
