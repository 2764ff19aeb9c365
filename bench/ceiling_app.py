"""The two ceilings bench/gateway.py measures the gateway against, served by one uvicorn worker.

- POST /plain: a plain Starlette endpoint answering fixed JSON bytes (the gateway's own answer to
  the dashboard document): what HTTP alone costs (the HTTP ceiling).
- POST /graphql: the same document on an in-memory Strawberry schema with the same shape and the
  contract's field types (Date, DateTime and the enums, as the gateway's schema serialises them), fed
  from that answer, with no database and no permission checks (the framework ceiling).

Run by bench/gateway.py: `uvicorn --factory bench.ceiling_app:app_from_env` with CEILING_ANSWER
naming a file that holds the gateway's JSON answer.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.extensions import ParserCache, ValidationCache

import schema.billing.types  # registers the billing enums with Strawberry, as the gateway does
import schema.enums  # noqa: F401  # and Permission
from gateway.graphql_endpoint import GraphQLResponse
from gateway.heap import settle_after_startup
from models.access import Permission
from models.billing.models import PaymentStatus, StatementStatus


@strawberry.type
class Money:
    amount: int
    currency: str
    formatted: str


@strawberry.type
class UpcomingPayment:
    amount: Money
    due_date: date
    autopay: bool


@strawberry.type
class Member:
    username: str | None
    permissions: list[Permission]


@strawberry.type
class MemberEdge:
    node: Member


@strawberry.type
class MemberConnection:
    edges: list[MemberEdge]


@strawberry.type
class LineItem:
    description: str
    amount: Money


@strawberry.type
class Statement:
    id: strawberry.ID
    period_start: date
    period_end: date
    due_date: date
    status: StatementStatus
    amount_due: Money
    amount_paid: Money
    line_items: list[LineItem]


@strawberry.type
class StatementEdge:
    node: Statement


@strawberry.type
class StatementConnection:
    edges: list[StatementEdge]


@strawberry.type
class PaymentMethod:
    last4: str


@strawberry.type
class Payment:
    id: strawberry.ID
    amount: Money
    status: PaymentStatus
    created_at: datetime
    payment_method: PaymentMethod | None


@strawberry.type
class PaymentEdge:
    node: Payment


@strawberry.type
class PaymentConnection:
    edges: list[PaymentEdge]


@strawberry.type
class Account:
    number: str
    balance: Money | None
    next_payment: UpcomingPayment | None
    all_members: strawberry.Private[list[Member]]
    all_statements: strawberry.Private[list[Statement]]
    all_payments: strawberry.Private[list[Payment]]

    @strawberry.field
    def members(self, first: int = 20) -> MemberConnection:
        return MemberConnection(edges=[MemberEdge(node=m) for m in self.all_members[:first]])

    @strawberry.field
    def statements(self, first: int = 12) -> StatementConnection:
        return StatementConnection(edges=[StatementEdge(node=s) for s in self.all_statements[:first]])

    @strawberry.field
    def payments(self, first: int = 20) -> PaymentConnection:
        return PaymentConnection(edges=[PaymentEdge(node=p) for p in self.all_payments[:first]])


def money(data: dict[str, Any]) -> Money:
    return Money(amount=data["amount"], currency=data.get("currency", "USD"), formatted=data["formatted"])


def account_from(answer: dict[str, Any]) -> Account:
    """The in-memory account, rebuilt from the gateway's answer so both answer the same data."""
    data = answer["data"]["account"]
    upcoming = data["nextPayment"]
    return Account(
        number=data["number"],
        balance=money(data["balance"]) if data["balance"] else None,
        next_payment=UpcomingPayment(
            amount=money(upcoming["amount"]),
            due_date=date.fromisoformat(upcoming["dueDate"]),
            autopay=upcoming["autopay"],
        )
        if upcoming
        else None,
        all_members=[
            Member(
                username=edge["node"]["username"],
                permissions=[Permission(name) for name in edge["node"]["permissions"]],
            )
            for edge in data["members"]["edges"]
        ],
        all_statements=[statement(edge["node"]) for edge in data["statements"]["edges"]],
        all_payments=[payment(edge["node"]) for edge in data["payments"]["edges"]],
    )


def statement(node: dict[str, Any]) -> Statement:
    return Statement(
        id=strawberry.ID(node["id"]),
        period_start=date.fromisoformat(node["periodStart"]),
        period_end=date.fromisoformat(node["periodEnd"]),
        due_date=date.fromisoformat(node["dueDate"]),
        status=StatementStatus(node["status"]),
        amount_due=money(node["amountDue"]),
        amount_paid=money(node["amountPaid"]),
        line_items=[
            LineItem(description=item["description"], amount=money(item["amount"]))
            for item in node["lineItems"]
        ],
    )


def payment(node: dict[str, Any]) -> Payment:
    method = node["paymentMethod"]
    return Payment(
        id=strawberry.ID(node["id"]),
        amount=money(node["amount"]),
        status=PaymentStatus(node["status"]),
        created_at=datetime.fromisoformat(node["createdAt"]),
        payment_method=PaymentMethod(last4=method["last4"]) if method else None,
    )


def in_memory_schema(account: Account) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def account(self) -> Account:
            return account

    # The gateway's schema caches parsing and validation too (schema/__init__.py): same footing.
    return strawberry.Schema(
        query=Query, extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    )


def create_app(answer_bytes: bytes) -> Starlette:
    schema = in_memory_schema(account_from(json.loads(answer_bytes)))

    async def plain(request: Request) -> Response:
        await request.body()  # read the request as the others do
        return Response(answer_bytes, media_type="application/json")

    async def graphql(request: Request) -> Response:
        params = await request.json()
        result = await schema.execute(params["query"], variable_values=params.get("variables"))
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return GraphQLResponse(body)  # the gateway's own JSON writer (orjson)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settle_after_startup()  # the gateway's collector settings: same footing
        yield

    return Starlette(
        routes=[
            Route("/plain", plain, methods=["POST"]),
            Route("/graphql", graphql, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    return create_app(Path(os.environ["CEILING_ANSWER"]).read_bytes())
