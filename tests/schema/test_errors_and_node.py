"""Unexpected failures are masked as INTERNAL with a request id; node() finds only the caller's objects."""

from __future__ import annotations

import httpx
import pytest

from models.access import Permission, Role
from schema.ids import to_global_id
from tests.support import error_codes, gql, make_account, make_member, sign_in

NODE = (
    "query($id: ID!) { node(id: $id) { id __typename ... on Member { username } ... on Account { number } } }"
)


async def test_an_unexpected_exception_answers_internal_without_details(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a resolver that fails in a way nobody planned for
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    token = await sign_in(client, "alice")

    async def broken(info: object) -> None:
        raise RuntimeError("SELECT secret FROM member -- boom")

    monkeypatch.setattr("schema.accounts.queries.load_account", broken)
    # when
    response = await client.post(
        "/graphql",
        json={"query": "{ me { username } account { number } }"},
        headers={"authorization": f"Bearer {token}", "x-request-id": "req-123"},
    )
    # then
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"me": {"username": "alice"}, "account": None}
    assert error_codes(body) == ["INTERNAL"]
    assert body["errors"][0]["extensions"]["requestId"] == "req-123"
    assert "SELECT" not in response.text
    assert "boom" not in response.text
    assert "Traceback" not in response.text


async def test_node_resolves_own_account_objects_only(client: httpx.AsyncClient) -> None:
    account = await make_account()
    alice = await make_member(account, "alice", role=Role.PRIMARY)
    sam = await make_member(account, "sam")
    viewer = await make_member(account, "vera", grants=(Permission.VIEW_MEMBERS,))
    stranger_account = await make_account("Strangers")
    stranger = await make_member(stranger_account, "stranger", role=Role.PRIMARY)
    token = await sign_in(client, "alice")

    own_account = await gql(client, NODE, {"id": to_global_id("Account", account.id)}, token=token)
    assert own_account == {
        "data": {
            "node": {
                "id": to_global_id("Account", account.id),
                "__typename": "Account",
                "number": account.number,
            }
        }
    }
    member = await gql(client, NODE, {"id": to_global_id("Member", sam.id)}, token=token)
    assert member["data"]["node"]["username"] == "sam"
    for foreign in (
        to_global_id("Member", stranger.id),
        to_global_id("Account", stranger_account.id),
        "junk",
        "",
    ):
        assert await gql(client, NODE, {"id": foreign}, token=token) == {"data": {"node": None}}
    # a STANDARD member sees themself and the primary (as account.primary shows her), others only with
    # VIEW_MEMBERS
    sam_token = await sign_in(client, "sam")
    assert (await gql(client, NODE, {"id": to_global_id("Member", viewer.id)}, token=sam_token))["data"][
        "node"
    ] is None
    primary = await gql(client, NODE, {"id": to_global_id("Member", alice.id)}, token=sam_token)
    assert primary["data"]["node"]["username"] == "alice"
    own = await gql(client, NODE, {"id": to_global_id("Member", sam.id)}, token=sam_token)
    assert own["data"]["node"]["username"] == "sam"
    vera_token = await sign_in(client, "vera")
    seen = await gql(client, NODE, {"id": to_global_id("Member", sam.id)}, token=vera_token)
    assert seen["data"]["node"]["username"] == "sam"
    assert error_codes(await gql(client, NODE, {"id": to_global_id("Member", sam.id)})) == ["UNAUTHENTICATED"]
