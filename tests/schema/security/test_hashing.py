"""Password hashing never blocks the event loop, and old hashes are upgraded at sign-in."""

from __future__ import annotations

import asyncio
import gc
import threading
import time

import httpx
import pytest
from argon2 import PasswordHasher

from models.access import Role
from models.members.models import Member
from models.security.passwords import Passwords
from tests.support import SIGN_IN, STRONG_PASSWORD, gql, make_account, make_member, sign_in


async def test_twenty_sign_ins_do_not_stall_a_cheap_request(
    client: httpx.AsyncClient, passwords: Passwords, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    hashing_threads: set[int] = set()
    real_verify = passwords._verify

    def recording_verify(stored_hash: str | None, secret: str) -> bool:
        hashing_threads.add(threading.get_ident())
        return real_verify(stored_hash, secret)

    monkeypatch.setattr(passwords, "_verify", recording_verify)
    ticks: list[float] = []
    done = asyncio.Event()

    async def heartbeat() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.005)

    # when 20 sign-ins hash at once while a heartbeat and a cheap request run (with the test process's
    # own garbage collector paused: a full collection of the whole suite's heap is not what is measured)
    gc.collect()
    gc.disable()
    try:
        beat = asyncio.create_task(heartbeat())
        sign_ins = [
            gql(client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
            for _ in range(20)
        ]
        cheap = gql(client, "{ me { username } }")
        results = await asyncio.gather(cheap, *sign_ins)
        done.set()
        await beat
    finally:
        gc.enable()
    # then every verify ran off the event loop's thread, and the loop kept turning
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:], strict=False)]
    assert results[0] == {"data": {"me": None}}
    assert all(r["data"]["signIn"]["errors"] == [] for r in results[1:])
    assert hashing_threads
    assert threading.get_ident() not in hashing_threads
    assert len(ticks) > 10
    # 20 verifies inline would hold the loop for 20 x ~22 ms; threads leave it a few ms at a time
    assert max(gaps) < 0.25, f"event loop stalled for {max(gaps) * 1000:.0f} ms"


async def test_hash_with_old_parameters_is_upgraded_at_sign_in(client: httpx.AsyncClient) -> None:
    account = await make_account()
    member = await make_member(account, "alice", role=Role.PRIMARY)
    weak = PasswordHasher(memory_cost=8192, time_cost=1, parallelism=1).hash(STRONG_PASSWORD)
    await Member.filter(id=member.id).update(password_hash=weak)
    await sign_in(client, "alice")
    upgraded = (await Member.get(id=member.id)).password_hash
    assert upgraded != weak
    assert upgraded is not None
    assert "m=19456,t=2,p=1" in upgraded
    assert not Passwords().needs_rehash(upgraded)


async def test_hashing_threads_yield_the_cpu_to_the_event_loop(passwords: Passwords) -> None:
    # given the hashing pool
    import asyncio as aio
    import os

    from models.security.passwords import HASHING_NICENESS, hashing_pool

    # when a hash runs, and we ask its thread for its priority
    await passwords.hash("warm the pool up")

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen = await aio.get_running_loop().run_in_executor(hashing_pool(), niceness)
    # then hashing runs below the event loop's priority
    assert seen == HASHING_NICENESS
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < HASHING_NICENESS
