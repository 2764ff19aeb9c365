"""Sign-in: credentials are case-sensitive, unknown users and wrong passwords look alike."""

from __future__ import annotations

import httpx

from models.access import Role
from tests.support import SIGN_IN, STRONG_PASSWORD, error_codes, gql, make_account, make_member, sign_in

ME = "{ me { username role permissions } account { number members { totalCount } } }"


async def test_sign_in_then_me_and_account(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    # when
    token = await sign_in(client, "alice")
    body = await gql(client, ME, token=token)
    # then
    assert "errors" not in body
    assert body["data"]["me"]["username"] == "alice"
    assert body["data"]["me"]["role"] == "PRIMARY"
    assert "MANAGE_MEMBERS" in body["data"]["me"]["permissions"]
    assert body["data"]["account"] == {"number": account.number, "members": {"totalCount": 1}}


async def test_unknown_user_and_wrong_password_answer_alike(client: httpx.AsyncClient) -> None:
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    answers = []
    for username, password in [
        ("alice", "wrong password here"),
        ("nobody", STRONG_PASSWORD),
        ("Alice", STRONG_PASSWORD),
        ("alice", STRONG_PASSWORD.upper()),
    ]:
        body = await gql(client, SIGN_IN, {"input": {"username": username, "password": password}})
        answers.append(body["data"]["signIn"])
    assert all(answer["token"] is None for answer in answers)
    assert {answer["errors"][0]["code"] for answer in answers} == {"INVALID_CREDENTIALS"}
    assert len({answer["errors"][0]["message"] for answer in answers}) == 1


async def test_me_is_null_without_session_and_account_is_unauthenticated(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ me { id } }")
    assert body == {"data": {"me": None}}
    body = await gql(client, "{ account { number } }", token="not-a-token")
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_the_sign_in_payload_shows_the_member_their_own_fields(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.STANDARD, phone="+13125550123")
    document = """
    mutation($input: SignInInput!) {
      signIn(input: $input) { member { username email phone twoFactorEnabled } errors { code } }
    }
    """
    # when a request without a session signs in and asks for the member's own fields
    body = await gql(client, document, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
    # then they are there, with no UNAUTHENTICATED beside them
    assert "errors" not in body, body
    assert body["data"]["signIn"] == {
        "member": {
            "username": "alice",
            "email": "alice@example.com",
            "phone": "+13125550123",
            "twoFactorEnabled": False,
        },
        "errors": [],
    }
    # and a member returned by anything else still needs a session
    other = await gql(client, '{ node(id: "TWVtYmVyOjE=") { ... on Member { email } } }')
    assert error_codes(other) == ["UNAUTHENTICATED"] or other["data"]["node"] is None
