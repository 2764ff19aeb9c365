"""Security headers, CORS from the configured origins, readiness, time-outs and no field suggestions
in production."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.settings import Settings
from models.access import Role
from schema.accounts import queries
from tests.support import SIGN_IN, STRONG_PASSWORD, make_account, make_member


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.with_overrides(cors_origins=("https://portal.example.com",), request_timeout_seconds=1)


async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for response in (
        await client.post("/graphql", json={"query": "{ me { id } }"}),
        await client.post("/graphql", content=b"not json"),
        await client.get("/healthz"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


async def test_cors_answers_only_the_configured_origin(client: httpx.AsyncClient) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "x-csrf-token"}
    allowed = await client.options("/graphql", headers={"origin": "https://portal.example.com", **preflight})
    refused = await client.options("/graphql", headers={"origin": "https://evil.example", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example.com"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


async def test_readyz_checks_the_database_and_redis(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


async def test_a_request_past_its_time_is_stopped_with_a_json_answer(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(info: object) -> None:
        await asyncio.sleep(5)

    monkeypatch.setattr(queries, "load_account", slow)
    response = await client.post("/graphql", json={"query": "{ account { number } }"})
    assert response.status_code == 503
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"


async def test_field_suggestions_only_outside_production(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": "{ mee { id } }"})).json()
    assert "Did you mean" in body["errors"][0]["message"]


class TestInProduction:
    @pytest.fixture
    def app_settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(environment="production", public_url="https://portal.example.com")

    async def test_no_suggestions_and_hsts(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/graphql", json={"query": "{ mee { id } }"})
        message = response.json()["errors"][0]["message"]
        assert message == "Cannot query field 'mee' on type 'Query'."
        assert response.headers["strict-transport-security"].startswith("max-age=")


class TestProductionIsHttpsWhateverPublicUrlSays:
    """Production settings refuse an http PUBLIC_URL; should one get through anyway (settings built in code),
    production still marks its cookies Secure and sends HSTS."""

    @pytest.fixture
    def app_settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(environment="production", public_url="http://portal.test")

    async def test_session_csrf_and_device_cookies_are_secure_and_hsts_is_sent(
        self, client: httpx.AsyncClient
    ) -> None:
        # given a member
        account = await make_account()
        await make_member(account, "alice", role=Role.PRIMARY)
        # when a browser signs in
        response = await client.post(
            "/graphql",
            json={
                "query": SIGN_IN,
                "variables": {"input": {"username": "alice", "password": STRONG_PASSWORD}},
            },
        )
        # then
        assert response.json()["data"]["signIn"]["errors"] == []
        cookies = {value.split("=", 1)[0]: value for value in response.headers.get_list("set-cookie")}
        assert set(cookies) == {"session", "csrf", "device"}
        assert all("; secure" in value.lower() for value in cookies.values()), cookies
        assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
