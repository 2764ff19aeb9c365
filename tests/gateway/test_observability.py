"""Observability: /metrics after real traffic; the request id on every log line of a request and its jobs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import Resources, create_app
from gateway.logs import json_handler
from gateway.settings import Settings
from models import sign_in as signing_in
from models.access import Role
from models.members.models import MemberStatus
from models.notify.outbox import MessageStatus, OutboxMessage
from models.security.passwords import Passwords
from models.sign_in import SignInOutcome
from tests.support import SIGN_IN, STRONG_PASSWORD, error_codes, gql, make_account, make_member, sign_in
from workers.queue import Queue
from workers.runner import run_burst

ACCOUNT = "query Dashboard { account { number } }"
# An alias, and no `errors` selected: the outcome still shows (the token answers success).
ALIASED_SIGN_IN = """
mutation Login($input: SignInInput!) { login: signIn(input: $input) { token } }
"""
BROKEN_ACCOUNT = "{ account { number } }"
# signIn inside an inline fragment and a fragment spread: still one sign-in each, counted.
FRAGMENTED_SIGN_IN = """
mutation Fragmented($input: SignInInput!) { ... on Mutation { ...Login } }
fragment Login on Mutation { login: signIn(input: $input) { token errors { code } } }
"""
LOCKOUT_THRESHOLD = 2
METRICS_TOKEN = "metrics-token-0123456789abcdef0123456789"


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.with_overrides(lockout_threshold=LOCKOUT_THRESHOLD)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(metrics: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def fail_sign_in(
    client: httpx.AsyncClient, username: str, headers: dict[str, str] | None = None
) -> str:
    body = await gql(client, SIGN_IN, {"input": {"username": username, "password": "not the password"}})
    return str(body["data"]["signIn"]["errors"][0]["code"])


@asynccontextmanager
async def app_client(
    settings: Settings, passwords: Passwords, queue: Queue
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, Resources(passwords=passwords, queue=queue, redis=None))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as http:
        yield http


@contextmanager
def captured_json_logs() -> Iterator[io.StringIO]:
    """Every log line at INFO and up, and the SQL statements, as the JSON formatter writes them.

    httpx's own line is the test client's, written after the response, so it is left out."""
    stream = io.StringIO()
    handler = json_handler(stream)
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    root, sql = logging.getLogger(), logging.getLogger("tortoise.db_client")
    levels = root.level, sql.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    sql.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        sql.setLevel(levels[1])


def lines_of(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_metrics_show_latency_errors_sign_ins_lockouts_and_backlog(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await make_member(account, "bob")
    # when
    assert await fail_sign_in(client, "alice") == "INVALID_CREDENTIALS"
    token = await sign_in(client, "alice", STRONG_PASSWORD)
    assert (await gql(client, ACCOUNT, token=token))["data"]["account"]["number"] == account.number
    assert error_codes(await gql(client, BROKEN_ACCOUNT, token="not-a-token")) == ["UNAUTHENTICATED"]
    assert [await fail_sign_in(client, "bob") for _ in range(LOCKOUT_THRESHOLD)] == [
        "INVALID_CREDENTIALS",
        "ACCOUNT_LOCKED",
    ]
    metrics = await scrape(client)
    # then
    assert value(metrics, "gateway_request_duration_seconds_count", operation="SignIn") == 4
    assert value(metrics, "gateway_request_duration_seconds_count", operation="Dashboard") == 1
    assert value(metrics, "gateway_request_duration_seconds_count", operation="anonymous") == 1
    assert value(metrics, "gateway_request_duration_seconds_sum", operation="SignIn") > 0
    assert value(metrics, "gateway_graphql_errors_total", code="UNAUTHENTICATED") == 1
    assert value(metrics, "gateway_sign_ins_total", outcome="invalid_credentials") == 2
    assert value(metrics, "gateway_sign_ins_total", outcome="success") == 1
    assert value(metrics, "gateway_sign_ins_total", outcome="locked") == 1
    assert value(metrics, "gateway_lockouts_total") == 1
    pending = await OutboxMessage.filter(status=MessageStatus.PENDING).count()
    assert pending >= 1  # bob's lockout e-mail at least
    assert value(metrics, "gateway_outbox_backlog") == pending


async def test_metrics_count_refusals_by_code_and_hide_nothing_else(client: httpx.AsyncClient) -> None:
    # given: no traffic yet
    before = await scrape(client)
    # when
    body = await gql(client, "{ nosuchfield }")
    after = await scrape(client)
    # then
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert value(before, "gateway_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 0
    assert value(after, "gateway_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert value(after, "gateway_request_duration_seconds_count", operation="anonymous") == 1
    assert value(after, "gateway_outbox_backlog") == 0


async def test_sign_in_outcomes_count_disabled_members_and_aliased_fields(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    await make_member(account, "carol", status=MemberStatus.DISABLED)
    # when
    disabled = await gql(client, SIGN_IN, {"input": {"username": "carol", "password": STRONG_PASSWORD}})
    aliased = await gql(
        client, ALIASED_SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}}
    )
    metrics = await scrape(client)
    # then
    assert disabled["data"]["signIn"]["errors"][0]["code"] == "ACCOUNT_DISABLED"
    assert aliased["data"]["login"]["token"]
    assert value(metrics, "gateway_sign_ins_total", outcome="disabled") == 1
    assert value(metrics, "gateway_sign_ins_total", outcome="success") == 1
    assert value(metrics, "gateway_request_duration_seconds_count", operation="Login") == 1
    assert value(metrics, "gateway_lockouts_total") == 0


async def test_lockouts_count_alike_for_unknown_usernames_and_real_members(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "demo.member")
    before = await scrape(client)
    # when five wrong passwords go to a name nobody has, then five to a real member
    unknown = [await fail_sign_in(client, "nobody.here") for _ in range(5)]
    middle = await scrape(client)
    real = [await fail_sign_in(client, "demo.member") for _ in range(5)]
    after = await scrape(client)
    # then each locked once, and the metrics of sign-ins read the same for both
    assert unknown == real == ["INVALID_CREDENTIALS"] + ["ACCOUNT_LOCKED"] * 4
    assert value(before, "gateway_lockouts_total") == 0
    assert value(middle, "gateway_lockouts_total") == 1
    assert value(after, "gateway_lockouts_total") == 2
    for outcome, count in (("invalid_credentials", 1), ("locked", 4)):
        assert value(middle, "gateway_sign_ins_total", outcome=outcome) == count
        assert value(after, "gateway_sign_ins_total", outcome=outcome) == 2 * count


async def test_sign_ins_in_fragments_are_counted(client: httpx.AsyncClient) -> None:
    # when
    body = await gql(client, FRAGMENTED_SIGN_IN, {"input": {"username": "x", "password": "not it"}})
    metrics = await scrape(client)
    # then
    assert body == {"data": {"login": {"token": None, "errors": [{"code": "INVALID_CREDENTIALS"}]}}}
    assert value(metrics, "gateway_sign_ins_total", outcome="invalid_credentials") == 1


async def test_a_sign_in_refused_before_its_password_is_checked_is_counted(client: httpx.AsyncClient) -> None:
    # given
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    # when
    body = await gql(
        client, SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD, "deviceId": "d" * 129}}
    )
    metrics = await scrape(client)
    # then
    assert error_codes(body) == []
    assert body["data"]["signIn"]["errors"][0]["code"] == "INVALID_INPUT"
    assert value(metrics, "gateway_sign_ins_total", outcome="invalid_input") == 1
    assert value(metrics, "gateway_sign_ins_total", outcome="success") == 0


async def test_the_sign_in_operation_reports_each_outcome_to_its_observers(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: an observer of our own in place of the metrics'
    monkeypatch.setattr(signing_in, "_sign_in_observers", [])
    seen: list[SignInOutcome] = []
    signing_in.observe_sign_ins(seen.append)
    signing_in.observe_sign_ins(seen.append)  # idempotent
    account = await make_account()
    await make_member(account, "alice", role=Role.PRIMARY)
    # when: a wrong password, then the right one, both aliased in documents the gateway does not read
    wrong = await gql(client, FRAGMENTED_SIGN_IN, {"input": {"username": "alice", "password": "not it"}})
    right = await gql(client, ALIASED_SIGN_IN, {"input": {"username": "alice", "password": STRONG_PASSWORD}})
    metrics = await scrape(client)
    # then: the outcomes went to the observer, and (the metrics' observer gone) to no metric
    assert wrong == {"data": {"login": {"token": None, "errors": [{"code": "INVALID_CREDENTIALS"}]}}}
    assert right["data"]["login"]["token"]
    assert seen == [SignInOutcome.INVALID_CREDENTIALS, SignInOutcome.SUCCESS]
    assert value(metrics, "gateway_sign_ins_total", outcome="invalid_credentials") == 0
    assert value(metrics, "gateway_sign_ins_total", outcome="success") == 0


async def test_metrics_answer_only_the_bearer_of_the_metrics_token(
    app_settings: Settings, passwords: Passwords, queue: Queue
) -> None:
    # given
    async with app_client(
        app_settings.with_overrides(metrics_token=METRICS_TOKEN), passwords, queue
    ) as client:
        # when
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}x"})
        basic = await client.get("/metrics", headers={"authorization": f"Basic {METRICS_TOKEN}"})
        right = await client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    # then
    for refused in (anonymous, wrong, basic):
        assert (refused.status_code, refused.content) == (401, b"")
        assert refused.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200
    assert ("gateway_lockouts_total", frozenset()) in samples(right.text)


async def test_metrics_are_off_in_production_without_a_token(
    app_settings: Settings, passwords: Passwords, queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    production = app_settings.with_overrides(
        environment="production", public_url="https://portal.example.com"
    )
    # when
    with caplog.at_level(logging.WARNING):
        async with app_client(production, passwords, queue) as client:
            response = await client.get("/metrics")
    # then
    assert (response.status_code, response.text) == (404, "Not Found")
    assert any("/metrics is off: METRICS_TOKEN is not set" in r.getMessage() for r in caplog.records)


def test_the_metrics_token_is_read_from_the_environment(tmp_path: Path) -> None:
    # when
    given = Settings.from_env({"DATA_DIR": str(tmp_path), "METRICS_TOKEN": f" {METRICS_TOKEN} "})
    blank = Settings.from_env({"DATA_DIR": str(tmp_path), "METRICS_TOKEN": " "})
    # then
    assert (given.metrics_token, blank.metrics_token) == (METRICS_TOKEN, None)
    assert METRICS_TOKEN not in repr(given)


async def test_every_log_line_of_a_request_and_of_its_job_carries_the_request_id(
    client: httpx.AsyncClient, settings: Settings, queue: Queue, tmp_path: Path
) -> None:
    # given
    account = await make_account()
    await make_member(account, "bob")
    assert await fail_sign_in(client, "bob") == "INVALID_CREDENTIALS"
    before = await scrape(client)
    # when: the failure that locks bob out queues the lockout e-mail
    with captured_json_logs() as stream:
        response = await client.post(
            "/graphql",
            json={"query": SIGN_IN, "variables": {"input": {"username": "bob", "password": "nope nope"}}},
            headers={"x-request-id": "req-lockout-1"},
        )
    request_lines = lines_of(stream)
    jobs = await queue.pool.queued_jobs()
    with captured_json_logs() as stream:
        await run_burst(settings.with_overrides(data_dir=tmp_path), database_open=True)
    job_lines = lines_of(stream)
    after = await scrape(client)
    # then
    assert response.headers["x-request-id"] == "req-lockout-1"
    assert response.json()["data"]["signIn"]["errors"][0]["code"] == "ACCOUNT_LOCKED"
    assert len(request_lines) >= 5  # the SQL of the sign-in, at least
    assert {line.get("request_id") for line in request_lines} == {"req-lockout-1"}
    assert {line["level"] for line in request_lines} <= {"DEBUG", "INFO", "WARNING"}
    assert [(job.function, job.kwargs) for job in jobs] == [("send_email", {"request_id": "req-lockout-1"})]
    # The claim and the mark-sent of the message; the sweep at burst start belongs to no request.
    delivery = [line for line in job_lines if line["message"].startswith('UPDATE "outbox_message"')]
    assert len(delivery) == 2
    assert {line.get("request_id") for line in delivery} == {"req-lockout-1"}
    assert {line.get("request_id") for line in job_lines} <= {"req-lockout-1", None}
    sent = ("worker_jobs_total", frozenset({("function", "send_email"), ("outcome", "success")}))
    assert after.get(sent, 0) - before.get(sent, 0) == 1
    assert after[("worker_job_duration_seconds_count", frozenset({("function", "send_email")}))] >= 1


async def test_request_id_is_made_when_absent_and_cut_when_too_long(client: httpx.AsyncClient) -> None:
    # when
    made = await client.get("/healthz")
    too_long = await client.get("/healthz", headers={"x-request-id": "x" * 200})
    blank = await client.post("/graphql", json={"query": "{ me { id } }"}, headers={"x-request-id": " "})
    # then
    assert len(made.headers["x-request-id"]) == 32
    assert too_long.headers["x-request-id"] == "x" * 64
    assert blank.headers["x-request-id"].strip() != ""
    assert blank.headers.get_list("x-request-id") == [blank.headers["x-request-id"]]


def test_json_formatter_writes_one_object_per_line_with_the_exception() -> None:
    # given
    stream = io.StringIO()
    logger = logging.getLogger("tests.observability")
    logger.addHandler(json_handler(stream))
    logger.propagate = False
    # when
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it broke:\n%s", "second line")
    # then
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["level"] == "ERROR"
    assert record["logger"] == "tests.observability"
    assert record["message"] == "it broke:\nsecond line"
    assert "ValueError: boom" in record["exception"]
    assert "request_id" not in record
    assert record["time"].endswith("+00:00")
