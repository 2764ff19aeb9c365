"""Passwords.admitted: at most checks_in_flight() credential checks at once; the rest wait their turn."""

from __future__ import annotations

import asyncio

from models.security.passwords import Passwords, checks_in_flight


async def test_a_burst_is_admitted_a_few_at_a_time_and_all_finish() -> None:
    """Three times the limit arrive together: never more than the limit inside, every one gets in."""
    # given
    passwords = Passwords(memory_kib=8, time_cost=1)
    inside = 0
    most_inside = 0
    finished = 0

    async def check() -> None:
        nonlocal inside, most_inside, finished
        async with passwords.admitted():
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.001)
            inside -= 1
        finished += 1

    # when
    await asyncio.gather(*(check() for _ in range(3 * checks_in_flight())))
    # then
    assert most_inside == checks_in_flight()
    assert finished == 3 * checks_in_flight()


async def test_a_check_that_fails_gives_its_place_back() -> None:
    """An exception inside (a refused sign-in raising) frees the slot for the next one."""
    # given
    passwords = Passwords(memory_kib=8, time_cost=1)
    for _ in range(checks_in_flight()):
        try:
            async with passwords.admitted():
                raise ValueError("refused")
        except ValueError:
            pass
    # when one more arrives, it gets in at once
    async with asyncio.timeout(1):
        async with passwords.admitted():
            admitted = True
    # then
    assert admitted
