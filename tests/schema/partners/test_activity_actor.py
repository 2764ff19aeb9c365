"""What a partner key sees of ActivityEvent.actor: the actor is another member of the account, so it
needs VIEW_MEMBERS as Account.members does; VIEW_ACTIVITY alone shows the events, whose summary names
who acted, not the member's username, role and permissions."""

from __future__ import annotations

import httpx

from models.access import Permission
from models.activity import record
from tests.schema.partners.support import household, make_key
from tests.support import error_codes, gql

ACTIVITY = "{ account { activity { edges { node { kind summary actor { username role permissions } } } } } }"


async def test_a_view_activity_key_sees_the_events_and_summaries_but_not_the_actor(
    client: httpx.AsyncClient,
) -> None:
    # given
    account, primary = await household("pat")
    await record(account.id, "NOTE", "Pat changed the account's name", actor_id=primary.id)
    _, secret = await make_key(primary, Permission.VIEW_ACTIVITY)
    # when
    body = await gql(client, ACTIVITY, token=secret)
    # then
    events = [edge["node"] for edge in body["data"]["account"]["activity"]["edges"]]
    assert [(e["kind"], e["summary"], e["actor"]) for e in events if e["kind"] == "NOTE"] == [
        ("NOTE", "Pat changed the account's name", None)
    ]
    assert all(event["actor"] is None for event in events)
    assert error_codes(body) == ["FORBIDDEN"] * len(events)
    assert {tuple(error["path"][-1:]) for error in body["errors"]} == {("actor",)}


async def test_a_key_with_view_members_too_sees_the_actor(client: httpx.AsyncClient) -> None:
    # given
    account, primary = await household("pat")
    await record(account.id, "NOTE", "Pat changed the account's name", actor_id=primary.id)
    _, secret = await make_key(primary, Permission.VIEW_ACTIVITY, Permission.VIEW_MEMBERS)
    # when
    body = await gql(client, ACTIVITY, token=secret)
    # then
    assert "errors" not in body, body
    events = [edge["node"] for edge in body["data"]["account"]["activity"]["edges"]]
    note = next(event for event in events if event["kind"] == "NOTE")
    assert note["actor"] == {
        "username": "pat",
        "role": "PRIMARY",
        "permissions": [p.value for p in Permission],
    }
