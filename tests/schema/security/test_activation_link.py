"""Query.activationLink: a live link greets its invitee without being used up; a dead one answers null."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from models.db.clock import utcnow
from models.security.models import OneTimeToken, TokenPurpose
from tests.schema.security.test_activation import ACTIVATE, activation, invited_member
from tests.support import gql

LINK = "query($token: String!) { activationLink(token: $token) { displayName accountName expiresAt } }"


async def link_of(client: httpx.AsyncClient, token: str) -> dict[str, str] | None:
    body = await gql(client, LINK, {"token": token})
    assert "errors" not in body, body
    link: dict[str, str] | None = body["data"]["activationLink"]
    return link


async def test_a_live_link_is_read_without_being_used_up(client: httpx.AsyncClient) -> None:
    # given: an invitation, signed out
    _member, token = await invited_member()
    # when: the page checks the link twice
    first = await link_of(client, token)
    again = await link_of(client, token)
    # then: whom it invites and to which account, until when; and it still activates
    assert first is not None
    assert {key: first[key] for key in ("displayName", "accountName")} == {
        "displayName": "Dana Scully",
        "accountName": "The Smiths",
    }
    expires = datetime.fromisoformat(first["expiresAt"])
    assert timedelta(hours=71) < expires - utcnow() <= timedelta(hours=72)
    assert again == first
    activated = await gql(client, ACTIVATE, activation(token))
    assert activated["data"]["activateMember"]["errors"] == []


async def test_a_used_expired_or_unknown_link_answers_null(client: httpx.AsyncClient) -> None:
    # given: one link used, another expired
    _used_member, used = await invited_member("used@example.com")
    assert (await gql(client, ACTIVATE, activation(used)))["data"]["activateMember"]["errors"] == []
    _expired_member, expired = await invited_member("expired@example.com")
    await OneTimeToken.filter(purpose=TokenPurpose.ACTIVATION, used_at=None).update(
        expires_at=utcnow() - timedelta(seconds=1)
    )
    # when / then
    for dead in (used, expired, "not-a-token", "x" * 5_000, ""):
        assert await link_of(client, dead) is None
