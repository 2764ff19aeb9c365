"""createApiKey, revokeApiKey and Account.apiKeys."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.access import Permission, Role
from models.activity import ActivityEvent
from models.partners.api_keys import ApiKey
from models.partners.errors import ApiKeyRefused
from models.security.tokens import hash_token
from schema.ids import to_global_id
from tests.schema.partners.support import household, make_key
from tests.support import count_queries, error_codes, gql, make_member, sign_in, step_up

CREATE = """
mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    apiKey { id name prefix permissions createdAt lastUsedAt }
    secret
    errors { code field message }
  }
}
"""
REVOKE = "mutation($id: ID!) { revokeApiKey(id: $id) { ok errors { code field } } }"
LIST = "{ account { apiKeys { id name prefix permissions } } }"


def create_input(name: str = "Budget app", permissions: list[str] | None = None) -> dict[str, Any]:
    return {"input": {"name": name, "permissions": ["VIEW_BILLING"] if permissions is None else permissions}}


async def stepped_up_primary(client: httpx.AsyncClient) -> str:
    await household()
    token = await sign_in(client, "pat")
    await step_up(client, token, "pat@example.com")
    return token


async def test_primary_creates_key_and_sees_secret_once(client: httpx.AsyncClient) -> None:
    # given
    token = await stepped_up_primary(client)
    # when
    body = await gql(client, CREATE, create_input(permissions=["VIEW_BILLING", "PAY_BILLS"]), token=token)
    # then
    payload = body["data"]["createApiKey"]
    assert payload["errors"] == []
    secret = payload["secret"]
    assert secret.startswith("agk_")
    assert len(secret) > 40
    key = payload["apiKey"]
    assert key["name"] == "Budget app"
    assert key["prefix"] == secret[:12]
    assert key["permissions"] == ["VIEW_BILLING", "PAY_BILLS"]
    assert key["lastUsedAt"] is None
    stored = await ApiKey.get()
    assert stored.key_hash == hash_token(secret)
    assert secret not in str(await ApiKey.all().values())
    assert await ActivityEvent.filter(kind="API_KEY_CREATED").count() == 1
    listed = await gql(client, LIST, token=token)
    assert "errors" not in listed
    assert listed["data"]["account"]["apiKeys"] == [
        {"id": key["id"], "name": "Budget app", "prefix": secret[:12], "permissions": key["permissions"]}
    ]
    assert "secret" not in str(listed)


async def test_create_without_step_up_is_refused(client: httpx.AsyncClient) -> None:
    # given
    await household()
    token = await sign_in(client, "pat")
    # when
    body = await gql(client, CREATE, create_input(), token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["STEP_UP_REQUIRED"]
    assert await ApiKey.all().count() == 0


async def test_manager_cannot_create_keys(client: httpx.AsyncClient) -> None:
    # given
    account, _ = await household()
    await make_member(account, "max", role=Role.MANAGER)
    token = await sign_in(client, "max")
    await step_up(client, token, "max@example.com")
    # when
    body = await gql(client, CREATE, create_input(), token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]


async def test_key_never_gets_manage_members(client: httpx.AsyncClient) -> None:
    # given
    token = await stepped_up_primary(client)
    # when
    body = await gql(
        client, CREATE, create_input(permissions=["VIEW_BILLING", "MANAGE_MEMBERS"]), token=token
    )
    # then
    payload = body["data"]["createApiKey"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_PERMISSION", "permissions")]
    assert payload["apiKey"] is None
    assert payload["secret"] is None
    assert await ApiKey.all().count() == 0


async def test_key_cannot_exceed_its_creator(client: httpx.AsyncClient) -> None:
    # given: a creator (direct, as the domain operation) who lacks VIEW_ACTIVITY
    account, _ = await household()
    standard = await make_member(account, "sam", grants=(Permission.VIEW_BILLING,))
    # when / then
    with pytest.raises(ApiKeyRefused) as refusal:
        await make_key(standard, Permission.VIEW_BILLING, Permission.VIEW_ACTIVITY)
    assert (refusal.value.reason, refusal.value.field) == ("INVALID_PERMISSION", "permissions")
    assert "VIEW_ACTIVITY" in refusal.value.message
    assert await ApiKey.all().count() == 0


async def test_bad_inputs(client: httpx.AsyncClient) -> None:
    # given
    token = await stepped_up_primary(client)
    cases = [
        (create_input(name="   "), ("INVALID_INPUT", "name")),
        (create_input(name="x" * 101), ("INVALID_INPUT", "name")),
        (create_input(permissions=[]), ("INVALID_PERMISSION", "permissions")),
    ]
    for variables, expected in cases:
        # when
        body = await gql(client, CREATE, variables, token=token)
        # then
        errors = body["data"]["createApiKey"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [expected], variables
    # when: a value that is not a Permission
    body = await gql(client, CREATE, create_input(permissions=["EVERYTHING"]), token=token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert await ApiKey.all().count() == 0


async def test_name_of_100_characters_is_accepted(client: httpx.AsyncClient) -> None:
    # given
    token = await stepped_up_primary(client)
    # when
    body = await gql(client, CREATE, create_input(name="x" * 100), token=token)
    # then
    assert body["data"]["createApiKey"]["errors"] == []


async def test_revoke(client: httpx.AsyncClient) -> None:
    # given
    _, primary = await household()
    key, _ = await make_key(primary, Permission.VIEW_BILLING)
    token = await sign_in(client, "pat")
    key_id = to_global_id("ApiKey", key.id)
    # when
    body = await gql(client, REVOKE, {"id": key_id}, token=token)
    # then
    assert body["data"]["revokeApiKey"] == {"ok": True, "errors": []}
    assert (await ApiKey.get(id=key.id)).revoked_at is not None
    assert await ActivityEvent.filter(kind="API_KEY_REVOKED").count() == 1
    listed = await gql(client, LIST, token=token)
    assert listed["data"]["account"]["apiKeys"] == []
    # when: again
    body = await gql(client, REVOKE, {"id": key_id}, token=token)
    # then
    assert body["data"]["revokeApiKey"] == {"ok": False, "errors": [{"code": "NOT_FOUND", "field": "id"}]}


async def test_revoke_foreign_unknown_or_malformed_is_not_found(client: httpx.AsyncClient) -> None:
    # given
    await household()
    _, other_primary = await household("quinn")
    foreign, _ = await make_key(other_primary, Permission.VIEW_BILLING)
    token = await sign_in(client, "pat")
    not_found = {"ok": False, "errors": [{"code": "NOT_FOUND", "field": "id"}]}
    for key_id in (to_global_id("ApiKey", foreign.id), to_global_id("ApiKey", 999999), "garbage", ""):
        # when
        body = await gql(client, REVOKE, {"id": key_id}, token=token)
        # then
        assert body["data"]["revokeApiKey"] == not_found, key_id
    assert (await ApiKey.get(id=foreign.id)).revoked_at is None


async def test_revoke_and_list_need_manage_members(client: httpx.AsyncClient) -> None:
    # given
    account, primary = await household()
    key, _ = await make_key(primary, Permission.VIEW_BILLING)
    await make_member(account, "max", role=Role.MANAGER)
    token = await sign_in(client, "max")
    # when
    revoke = await gql(client, REVOKE, {"id": to_global_id("ApiKey", key.id)}, token=token)
    listed = await gql(client, LIST, token=token)
    # then
    assert revoke["data"] is None
    assert error_codes(revoke) == ["FORBIDDEN"]
    assert listed["data"]["account"]["apiKeys"] is None
    assert error_codes(listed) == ["FORBIDDEN"]
    assert (await ApiKey.get(id=key.id)).revoked_at is None


async def test_list_is_newest_first_and_one_query(client: httpx.AsyncClient) -> None:
    # given
    _, primary = await household()
    keys = [(await make_key(primary, Permission.VIEW_BILLING, name=f"App {n}"))[0] for n in range(5)]
    token = await sign_in(client, "pat")
    # when
    with count_queries() as statements:
        body = await gql(client, LIST, token=token)
    # then
    assert [k["name"] for k in body["data"]["account"]["apiKeys"]] == [k.name for k in reversed(keys)]
    assert sum("api_key" in statement for statement in statements) == 1
