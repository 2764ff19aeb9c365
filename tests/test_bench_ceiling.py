"""The framework ceiling of bench/gateway.py (bench/ceiling_app.py) answers the dashboard document with
exactly the gateway's JSON, so the benchmark compares the two on the same answer."""

from __future__ import annotations

import json
from typing import Any

import httpx

from bench.ceiling_app import create_app
from bench.gateway import DOCUMENT, MEMBERS, PAYMENTS, seed_billing
from models.access import Permission, Role
from tests.support import make_account, make_member, sign_in

GRANTS: tuple[tuple[Permission, ...], ...] = (
    (),
    (Permission.VIEW_BILLING,),
    (Permission.PAY_BILLS, Permission.VIEW_MEMBERS, Permission.MANAGE_SERVICES),
)


async def gateway_answer(client: httpx.AsyncClient) -> bytes:
    """The benchmark's account (its members, bench.gateway.seed_billing's bills) and the gateway's
    answer to the dashboard document for its primary, as bytes."""
    account = await make_account("The Benchmarks")
    primary, *others = MEMBERS
    await make_member(account, primary, role=Role.PRIMARY)
    for username, grants in zip(others, GRANTS, strict=True):
        await make_member(account, username, grants=grants)
    await seed_billing()
    token = await sign_in(client, primary)
    response = await client.post(
        "/graphql",
        json={"query": DOCUMENT, "variables": {}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.content


async def ceiling_answer(answer_bytes: bytes, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(answer_bytes))
    async with httpx.AsyncClient(transport=transport, base_url="http://ceiling.test") as http:
        return await http.post(path, json={"query": DOCUMENT, "variables": {}})


async def test_the_framework_ceiling_answers_the_gateways_json(client: httpx.AsyncClient) -> None:
    """POST /graphql on the in-memory schema gives the same JSON as the gateway: dates, date-times,
    enums (statuses, permissions) and money serialised alike, pages cut alike."""
    # given
    answer_bytes = await gateway_answer(client)
    gateway: dict[str, Any] = json.loads(answer_bytes)
    assert "errors" not in gateway, gateway
    account = gateway["data"]["account"]
    assert len(account["statements"]["edges"]) == 12
    assert len(account["payments"]["edges"]) == PAYMENTS == 10
    assert len(account["members"]["edges"]) == len(MEMBERS) == 4
    assert account["nextPayment"]["autopay"] is True
    # when
    response = await ceiling_answer(answer_bytes, "/graphql")
    # then
    assert response.status_code == 200, response.text
    assert response.json() == gateway


async def test_the_http_ceiling_answers_the_gateways_bytes(client: httpx.AsyncClient) -> None:
    """POST /plain answers the gateway's own bytes unchanged, as JSON."""
    # given
    answer_bytes = await gateway_answer(client)
    # when
    response = await ceiling_answer(answer_bytes, "/plain")
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == answer_bytes
