"""Expired WebAuthn challenges are deleted every few minutes: anyone may ask for a sign-in challenge."""

from __future__ import annotations

from datetime import timedelta

from gateway.settings import Settings
from models.db.clock import utcnow
from models.security import webauthn_challenges
from models.security.models import PasskeyFlow, WebAuthnChallenge
from workers.cleanup import sweep_webauthn_challenges
from workers.runner import build_worker


async def test_the_sweep_deletes_expired_challenges_and_keeps_live_ones() -> None:
    # given two sign-in challenges nobody answered, one of them past its five minutes, and a used live one
    await webauthn_challenges.issue(PasskeyFlow.SIGN_IN)
    await webauthn_challenges.issue(PasskeyFlow.SIGN_IN)
    used = await webauthn_challenges.issue(PasskeyFlow.REGISTRATION)
    assert await webauthn_challenges.claim(used, PasskeyFlow.REGISTRATION) is not None
    oldest = await WebAuthnChallenge.all().order_by("id").first()
    assert oldest is not None
    await WebAuthnChallenge.filter(id=oldest.id).update(expires_at=utcnow() - timedelta(seconds=1))
    # when
    swept = await sweep_webauthn_challenges({})
    # then only the expired one is gone, and sweeping again deletes nothing
    assert swept == 1
    assert await WebAuthnChallenge.filter(id=oldest.id).exists() is False
    assert await WebAuthnChallenge.all().count() == 2
    assert await sweep_webauthn_challenges({}) == 0


async def test_the_worker_sweeps_challenges_every_five_minutes(settings: Settings) -> None:
    # when
    [job] = [job for job in build_worker(settings).cron_jobs if job.name == "cron:sweep_webauthn_challenges"]
    # then
    assert job.minute == set(range(1, 60, 5))
    assert job.second == {30}
