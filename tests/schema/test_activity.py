"""account.activity: the account's log, newest first, with cursors, for VIEW_ACTIVITY only."""

from __future__ import annotations

import httpx

from models import activity
from models.access import Permission, Role
from tests.support import SIGN_IN, error_codes, gql, make_account, make_member, sign_in

ACTIVITY = """
query($first: Int, $after: String) {
  account { activity(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind summary ipAddress actor { username } } }
  } }
}
"""


async def test_pages_newest_first_with_actor_and_ip(client: httpx.AsyncClient) -> None:
    # given a failed then a successful sign-in, and 3 system events
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await gql(client, SIGN_IN, {"input": {"username": "alice", "password": "wrong password!"}})
    token = await sign_in(client, "alice")
    for number in range(3):
        await activity.record(account.id, "SYSTEM_NOTE", f"note {number}")
    # when paging two at a time
    seen = []
    after = None
    while True:
        body = await gql(client, ACTIVITY, {"first": 2, "after": after}, token=token)
        assert "errors" not in body
        connection = body["data"]["account"]["activity"]
        seen += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    # then
    assert connection["totalCount"] == 6
    assert [node["kind"] for node in seen] == ["SYSTEM_NOTE"] * 3 + [
        "NEW_DEVICE_ALERT",
        "SIGN_IN",
        "SIGN_IN_FAILED",
    ]
    assert [node["summary"] for node in seen[:3]] == ["note 2", "note 1", "note 0"]
    assert seen[0]["actor"] is None
    assert seen[4]["actor"] == {"username": "alice"}
    assert seen[4]["ipAddress"] == "203.0.113.7"
    assert seen[5]["actor"] == {"username": "alice"}
    assert len({node["id"] for node in seen}) == 6


async def test_only_view_activity_sees_the_log(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await make_member(account, "sam")
    await make_member(account, "greta", grants=(Permission.VIEW_BILLING,))
    for username in ("sam", "greta"):
        body = await gql(
            client, "{ account { number activity { totalCount } } }", token=await sign_in(client, username)
        )
        assert body["data"]["account"] == {"number": account.number, "activity": None}
        assert body["errors"][0]["path"] == ["account", "activity"]
        assert error_codes(body) == ["FORBIDDEN"]


async def test_bad_page_arguments_are_refused(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")
    for variables in ({"first": -1}, {"first": 101}, {"after": "not a cursor"}, {"after": "Y3Vyc29yOng"}):
        body = await gql(client, ACTIVITY, variables, token=token)
        assert body["data"]["account"]["activity"] is None
        assert error_codes(body) == ["BAD_USER_INPUT"]
