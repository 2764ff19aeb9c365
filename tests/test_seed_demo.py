"""seed-demo always leaves a demo login that works, even after the demo account was locked out."""

from __future__ import annotations

import httpx

from gateway.settings import Settings
from models.lockout import LockoutPolicy, locked_until, reserve, throttle_key
from models.onboarding import DEMO_PASSWORD, DEMO_USERNAME, seed_demo
from models.passwords import Passwords
from tests.support import sign_in


async def test_seeding_again_lifts_a_lockout_of_the_demo_login(
    client: httpx.AsyncClient, passwords: Passwords, settings: Settings
) -> None:
    # given a seeded demo whose login a stranger locked
    await seed_demo(passwords)
    key = throttle_key(DEMO_USERNAME)
    policy = LockoutPolicy(settings.lockout_threshold, settings.lockout_seconds)
    for _ in range(settings.lockout_threshold):
        await reserve(key, policy)
    assert await locked_until(key) is not None
    # when it is seeded again
    login = await seed_demo(passwords)
    # then the printed login signs in
    assert await locked_until(key) is None
    assert (login.username, login.password) == (DEMO_USERNAME, DEMO_PASSWORD)
    assert await sign_in(client, DEMO_USERNAME, DEMO_PASSWORD, deviceId="demo-laptop")
