"""The HTTP contract of /graphql and /healthz: malformed requests get a JSON 4xx, never a stack trace."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gateway.settings import Settings

BAD_REQUEST = "BAD_REQUEST"


def refusal(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": BAD_REQUEST}}]}


async def post_raw(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    return await client.post("/graphql", content=content, headers={"content-type": "application/json"})


async def test_health_check(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_body_that_is_not_json_is_400(client: httpx.AsyncClient) -> None:
    response = await post_raw(client, b"{query: me}")
    assert response.status_code == 400
    assert response.json() == refusal("The request body is not JSON.")


async def test_body_that_is_not_an_object_is_400(client: httpx.AsyncClient) -> None:
    response = await post_raw(client, b'["{ me { id } }"]')
    assert response.status_code == 400
    assert response.json() == refusal("The request body must be a JSON object.")


@pytest.mark.parametrize(
    "payload", [{}, {"query": None}, {"query": 42}, {"query": "   "}, {"query": ["{ me }"]}]
)
async def test_missing_or_non_string_query_is_400(client: httpx.AsyncClient, payload: dict[str, Any]) -> None:
    response = await client.post("/graphql", json=payload)
    assert response.status_code == 400
    assert response.json() == refusal("`query` must be a non-empty string.")


@pytest.mark.parametrize("variables", [[], "x", 3])
async def test_variables_that_are_not_an_object_are_400(client: httpx.AsyncClient, variables: Any) -> None:
    response = await client.post("/graphql", json={"query": "{ me { id } }", "variables": variables})
    assert response.status_code == 400
    assert response.json() == refusal("`variables` must be a JSON object.")


async def test_operation_name_that_is_not_a_string_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { id } }", "operationName": 1})
    assert response.status_code == 400
    assert response.json() == refusal("`operationName` must be a string.")


async def test_body_over_100_kb_is_413(client: httpx.AsyncClient) -> None:
    padding = " " * 100_001
    response = await post_raw(client, json.dumps({"query": "{ me { id } }" + padding}).encode())
    assert response.status_code == 413
    assert response.json() == refusal("The request body is larger than 100000 bytes.")


async def test_get_with_a_mutation_is_405(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "mutation { signOut { errors { code } } }"})
    assert response.status_code == 405
    assert response.json() == refusal("Only queries may be sent with GET; send mutations with POST.")


async def test_get_with_a_query_answers_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ me { id } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


async def test_get_with_variables_that_are_not_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ me { id } }", "variables": "{"})
    assert response.status_code == 400
    assert response.json() == refusal("`variables` is not valid JSON.")


async def test_get_without_query_serves_graphiql_outside_production(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_syntax_error_is_a_graphql_error_without_a_traceback(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { id "})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert body["errors"][0]["message"].startswith("Syntax Error")
    assert "Traceback" not in response.text


async def test_unknown_operation_name_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "query A { me { id } }", "operationName": "B"})
    assert response.status_code == 400
    assert response.json() == refusal("`operationName` names no operation of the document.")


class TestInProduction:
    @pytest.fixture
    def app_settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(environment="production")

    async def test_get_without_query_is_400_not_graphiql(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/graphql", headers={"accept": "text/html"})
        assert response.status_code == 400
        assert response.json() == refusal("`query` must be a non-empty string.")

    async def test_introspection_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        body = response.json()
        assert body["data"] is None
        assert {error["extensions"]["code"] for error in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
        assert "introspection" in body["errors"][0]["message"].lower()


async def test_introspection_works_in_development(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": '{ __type(name: "Member") { name } }'})
    assert response.json() == {"data": {"__type": {"name": "Member"}}}
