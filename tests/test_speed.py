"""What the gateway's speed depends on: a constant number of SQL statements per dashboard, indexed
hot queries (no sequential scan on PostgreSQL), and permission checks that cost little."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from tortoise import connections
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from gateway.settings import Settings
from models.access import Role, effective_permissions
from models.accounts.models import Account
from models.billing.models import (
    LineItem,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentSource,
    PaymentStatus,
    Statement,
    StatementStatus,
)
from models.billing.statements import regular_key
from models.db.clock import utcnow
from models.members.models import Channel, Member, MemberStatus, fold_username
from models.notify.outbox import MessageStatus, OutboxMessage
from models.security.models import Session
from models.security.passwords import Passwords
from models.security.sessions import ClientInfo
from models.security.tokens import hash_token
from schema import schema
from schema.batches import visible_members
from schema.context import Context, Principal
from schema.permissions import IsCaller, IsMember, _Requires
from tests.support import count_queries, gql, make_account, make_member, shared_passwords, sign_in

DASHBOARD = (Path(__file__).resolve().parent.parent / "bench" / "dashboard.graphql").read_text()
MAX_STATEMENTS = 7  # the session read, then account-level, page and per-page reads (see schema/loaders.py)
SIZES = (1, 20, 500)
ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))


async def seed(account: Account, size: int, prefix: str) -> None:
    """`size` more members, and `size` statements (3 line items each) and payments, in bulk."""
    password_hash = await shared_passwords().hash("not used: these members never sign in")
    await Member.bulk_create(
        [
            Member(
                account_id=account.id,
                role=Role.STANDARD,
                status=MemberStatus.ACTIVE,
                username=f"{prefix}m{index}",
                username_folded=fold_username(f"{prefix}m{index}"),
                display_name=f"Member {index}",
                email=f"{prefix}m{index}@example.com",
                password_hash=password_hash,
            )
            for index in range(size)
        ]
    )
    method = await PaymentMethod.create(
        account_id=account.id,
        kind=PaymentMethodKind.CARD,
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2040,
        processor_token="tok_visa",
        is_default=True,
    )
    first_period = date(2000, 1, 1)
    await Statement.bulk_create(
        [
            Statement(
                account_id=account.id,
                issue_key=regular_key(first_period + timedelta(days=31 * index)),
                period_start=first_period + timedelta(days=31 * index),
                period_end=first_period + timedelta(days=31 * index + 30),
                issued_at=datetime(2000, 1, 1, tzinfo=UTC) + timedelta(days=31 * index + 30),
                due_date=first_period + timedelta(days=31 * index + 51),
                amount_due=3000,
                amount_paid=0 if index % 2 else 3000,
                status=StatementStatus.OPEN if index % 2 else StatementStatus.PAID,
            )
            for index in range(size)
        ]
    )
    statement_ids = await Statement.filter(account_id=account.id).values_list("id", flat=True)
    await LineItem.bulk_create(
        [
            LineItem(statement_id=statement_id, description=f"Line {line}", amount=1000)
            for statement_id in statement_ids
            for line in range(3)
        ]
    )
    await Payment.bulk_create(
        [
            Payment(
                account_id=account.id,
                amount=3000,
                status=PaymentStatus.SUCCEEDED,
                source=PaymentSource.MANUAL,
                idempotency_key=f"{account.id}:{index}",
                request_fingerprint=f"fingerprint {index}",
                payment_method_id=method.id,
            )
            for index in range(size)
        ]
    )


async def primary_with_data(client: httpx.AsyncClient, size: int) -> str:
    """An account whose primary is signed in, with `size` members, statements and payments; the token."""
    account = await make_account(f"Size {size}")
    await make_member(account, f"primary{size}", role=Role.PRIMARY)
    await seed(account, size, prefix=f"s{size}")
    return await sign_in(client, f"primary{size}")


async def test_the_dashboard_runs_the_same_few_sql_statements_whatever_the_data_size(
    client: httpx.AsyncClient,
) -> None:
    # given
    tokens = {size: await primary_with_data(client, size) for size in SIZES}
    counts: dict[int, int] = {}
    for size, token in tokens.items():
        # when
        with count_queries() as statements:
            body = await gql(client, DASHBOARD, token=token)
        # then
        assert "errors" not in body, body
        account = body["data"]["account"]
        assert len(account["members"]["edges"]) == min(5, size + 1)
        assert len(account["statements"]["edges"]) == min(12, size)
        assert all(len(edge["node"]["lineItems"]) == 3 for edge in account["statements"]["edges"])
        assert len(account["payments"]["edges"]) == min(10, size)
        counts[size] = len(statements)
    assert len(set(counts.values())) == 1, counts
    assert counts[SIZES[0]] <= MAX_STATEMENTS, counts


# --- permission checks --------------------------------------------------------------------------------


def context_for(principal: Principal, settings: Settings, passwords: Passwords) -> Context:
    """The context the endpoint builds for a request, without HTTP (a fresh one: fresh loaders)."""
    request = Request(
        {"type": "http", "method": "POST", "path": "/graphql", "headers": [], "query_string": b""}
    )
    return Context(
        request=request,
        response=Response(),
        settings=settings,
        passwords=passwords,
        principal=principal,
        client=ClientInfo(ip_address="203.0.113.7", user_agent=None),
    )


async def test_permission_checks_cost_the_dashboard_no_sql_and_no_waiting(
    client: httpx.AsyncClient, settings: Settings, passwords: Passwords, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the checks' cost depends on, rather than a timer: they read the principal already loaded
    (no SQL statement of their own) and answer at once (a bool, never an awaitable to schedule)."""
    # given
    token = await primary_with_data(client, 20)
    session = await Session.get(token_hash=hash_token(token)).select_related("member")
    member = session.member
    principal = Principal(
        member=member, session=session, permissions=effective_permissions(member.role_enum, [])
    )

    async def dashboard_statements() -> int:
        with count_queries() as statements:
            result = await schema.execute(
                DASHBOARD, context_value=context_for(principal, settings, passwords)
            )
        assert result.errors is None, result.errors
        return len(statements)

    await dashboard_statements()  # warm-up: parser and validation caches, connections
    answers: list[object] = []
    for permission_class in (_Requires, IsMember, IsCaller):

        def spy(self: Any, *args: Any, checked: Any = permission_class.has_permission, **kwargs: Any) -> Any:
            answer = checked(self, *args, **kwargs)
            answers.append(answer)
            return answer

        monkeypatch.setattr(permission_class, "has_permission", spy)
    # when
    guarded = await dashboard_statements()
    for permission_class in (_Requires, IsMember, IsCaller):
        monkeypatch.setattr(permission_class, "has_permission", lambda *args, **kwargs: True)
    unguarded = await dashboard_statements()
    # then
    assert answers
    assert all(type(answer) is bool for answer in answers), {type(answer) for answer in answers}
    assert guarded == unguarded


# --- indexes (PostgreSQL) --------------------------------------------------------------------------------

ACCOUNTS = 40
ROWS_PER_ACCOUNT = 75  # 3,000 rows in each large table


async def seed_many() -> tuple[int, str]:
    """ACCOUNTS accounts with ROWS_PER_ACCOUNT of everything; an account id, a session token hash."""
    for number in range(ACCOUNTS):
        account = await make_account(f"Load {number}")
        await seed(account, ROWS_PER_ACCOUNT, prefix=f"l{number}")
    members = await Member.all().values_list("id", flat=True)
    now = utcnow()
    await Session.bulk_create(
        [
            Session(
                member_id=member_id,
                token_hash=f"{member_id:064d}",
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(days=30),
            )
            for member_id in members
        ]
    )
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                channel=Channel.EMAIL,
                recipient=f"m{index}@example.com",
                body="Hello",
                kind="NOTICE",
                status=MessageStatus.SENT if index % 100 else MessageStatus.PENDING,
                next_attempt_at=now - timedelta(minutes=5),
                sent_at=now if index % 100 else None,
            )
            for index in range(ACCOUNTS * ROWS_PER_ACCOUNT)
        ]
    )
    account_id = await Account.all().order_by("id").first().values_list("id", flat=True)
    return int(account_id), f"{members[len(members) // 2]:064d}"  # type: ignore[call-overload]


LARGE_TABLES = (
    "member",
    "session",
    "statement",
    "line_item",
    "payment",
    "outbox_message",
    "permission_grant",
)


def due_query(now: datetime) -> QuerySet[OutboxMessage]:
    """The sweeper's query, as models.notify.outbox.due_message_ids builds it."""
    due = Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_until__lt=now
    )
    return OutboxMessage.filter(due).order_by("id").limit(500)


async def plan_of(query: QuerySet[Any]) -> str:
    rows = await connections.get("default").execute_query_dict(f"EXPLAIN {query.sql(params_inline=True)}")
    return "\n".join(row["QUERY PLAN"] for row in rows)


@pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans are PostgreSQL's: set TEST_DATABASE_URL to run it")
async def test_explain_the_hot_queries_finds_no_sequential_scan_on_large_tables() -> None:
    # given
    account_id, token_hash = await seed_many()
    await connections.get("default").execute_script("ANALYZE")
    statement_id = (
        await Statement.filter(account_id=account_id).order_by("-id").first().values_list("id", flat=True)
    )
    now = utcnow()
    hot: dict[str, QuerySet[Any]] = {
        "session by token hash": Session.filter(token_hash=token_hash, revoked_at=None)
        .select_related("member")
        .limit(1),
        "members page": visible_members([account_id]).order_by("id").limit(6),
        "statements page": Statement.filter(account_id=account_id).order_by("-id").limit(13),
        "open statements": Statement.filter(account_id__in=[account_id], status=StatementStatus.OPEN),
        "line items": LineItem.filter(statement_id__in=[statement_id]).order_by("id"),
        "payments page": Payment.filter(account_id=account_id)
        .select_related("payment_method")
        .order_by("-id")
        .limit(11),
        "outbox due messages": due_query(now),
    }
    # when
    plans = {name: await plan_of(query) for name, query in hot.items()}
    # then
    scans = {
        name: plan
        for name, plan in plans.items()
        if any(f"Seq Scan on {table} " in plan for table in LARGE_TABLES)
    }
    assert scans == {}, "\n\n".join(f"{name}:\n{plan}" for name, plan in scans.items())
