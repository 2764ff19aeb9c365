"""updateProfile: the display name needs no step-up; bad values change nothing."""

from __future__ import annotations

import httpx
import pytest

from models.access import Role
from models.activity import ActivityEvent
from models.members.models import Member
from tests.support import error_codes, gql, make_account, make_member, sign_in

UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    member { displayName email pendingEmail pendingPhone }
    errors { code field }
  }
}
"""


async def test_display_name_changes_without_step_up(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "bob")
    token = await sign_in(client, "bob")
    # when
    body = await gql(client, UPDATE_PROFILE, {"input": {"displayName": "  Bobby Tables "}}, token=token)
    # then
    assert body["data"]["updateProfile"] == {
        "member": {
            "displayName": "Bobby Tables",
            "email": "bob@example.com",
            "pendingEmail": None,
            "pendingPhone": None,
        },
        "errors": [],
    }
    assert (await Member.get(username="bob")).display_name == "Bobby Tables"
    assert await ActivityEvent.filter(kind="PROFILE_UPDATED").count() == 1


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"displayName": "   "}, "INVALID_INPUT", "displayName"),
        ({"displayName": "x" * 101}, "INVALID_INPUT", "displayName"),
        ({"email": "not an address"}, "INVALID_EMAIL", "email"),
        ({"email": "a@" + "b" * 300 + ".com"}, "INVALID_EMAIL", "email"),
        ({"phone": "12"}, "INVALID_PHONE", "phone"),
        ({"phone": "+1 555 000 0000 0000 0000 0000 0000 000"}, "INVALID_PHONE", "phone"),
    ],
)
async def test_bad_values_change_nothing(
    client: httpx.AsyncClient, change: dict[str, str], code: str, field: str
) -> None:
    # given
    account = await make_account()
    await make_member(account, "bob", role=Role.PRIMARY)
    token = await sign_in(client, "bob")
    # when: a good display name comes with the bad value
    body = await gql(client, UPDATE_PROFILE, {"input": {"displayName": "Robert", **change}}, token=token)
    # then
    assert body["data"]["updateProfile"] == {"member": None, "errors": [{"code": code, "field": field}]}
    member = await Member.get(username="bob")
    assert (member.display_name, member.email, member.pending_email, member.pending_phone) == (
        "Bob",
        "bob@example.com",
        None,
        None,
    )


async def test_update_profile_needs_a_session(client: httpx.AsyncClient) -> None:
    body = await gql(client, UPDATE_PROFILE, {"input": {"displayName": "Mallory"}})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None
