"""Observability of the web process: the request id, and Prometheus metrics (the JSON logs: gateway/logs.py).

One request id per request: `RequestObservation` (the outermost middleware) takes it from X-Request-Id
or makes one, keeps it in `workers.queue.request_id` for the whole request (every log line,
the jobs the request queues) and answers it in the `x-request-id` header. The endpoint notes what the
request was (`observe_operation`, `observe_result`); the middleware turns that into metrics once the
response is sent. Models know nothing of this: the domain operations report what they did to observers,
lockouts through `models.security.lockout.observe_locks`, which hears of every lock that begins, of a
real member or of a phantom login alike, and sign-ins through `models.sign_in.observe_sign_ins`, which
hears every password sign-in's outcome however the document spelled the field. No metric tells a real
username from an unknown one, and /metrics answers only the bearer of METRICS_TOKEN.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.settings import Settings
from models.security.lockout import observe_locks
from models.sign_in import SignInOutcome, observe_sign_ins
from workers.observability import JOB_REGISTRY, outbox_backlog
from workers.queue import request_id

log = logging.getLogger(__name__)

MAX_REQUEST_ID = 64
# Operation names come from clients: past this many distinct ones, the rest share the label "other".
MAX_OPERATION_LABELS = 200
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
# Without operationName, the document's first operation names the request (with several operations,
# operationName is required anyway). Not a parse: cheap, and a miss only means "anonymous".
_FIRST_OPERATION = re.compile(r"\s*(?:#[^\n]*\n\s*)*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)")


# Metrics ------------------------------------------------------------------------------------------


class Metrics:
    """The web process's metrics, in a registry of their own; /metrics adds the worker's (JOB_REGISTRY)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "gateway_request_duration_seconds",
            "GraphQL request latency by operation name (the request's operationName, or anonymous).",
            ["operation"],
            registry=self.registry,
        )
        self.errors = Counter(
            "gateway_graphql_errors", "GraphQL errors answered, by code.", ["code"], registry=self.registry
        )
        self.sign_ins = Counter(
            "gateway_sign_ins",
            "signIn answers by outcome (success, challenged, invalid_credentials, locked, rate_limited,"
            " disabled, ...).",
            ["outcome"],
            registry=self.registry,
        )
        self.lockouts = Counter("gateway_lockouts", "Sign-in lockouts begun.", registry=self.registry)
        self.outbox_backlog = Gauge(
            "gateway_outbox_backlog", "Outbox messages waiting for delivery.", registry=self.registry
        )
        self._operations: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        if not name or not _OPERATION_NAME.fullmatch(name):
            return "anonymous"
        if name not in self._operations:
            if len(self._operations) >= MAX_OPERATION_LABELS:
                return "other"
            self._operations.add(name)
        return name

    def record(self, observation: Observation, seconds: float) -> None:
        self.request_seconds.labels(self.operation_label(observation.operation)).observe(seconds)
        for code in observation.error_codes:
            self.errors.labels(code).inc()
        for outcome in observation.sign_ins:
            self.sign_ins.labels(outcome).inc()
        if observation.lockouts:
            self.lockouts.inc(observation.lockouts)

    async def render(self) -> bytes:
        """The text exposition; the outbox backlog is counted now, with one query."""
        try:
            self.outbox_backlog.set(await outbox_backlog())
        except Exception as error:  # a scrape must answer even when the database does not
            log.warning("metrics: outbox backlog not counted: %s", error)
            self.outbox_backlog.set(float("nan"))
        return generate_latest(self.registry) + generate_latest(JOB_REGISTRY)

    async def endpoint(self, request: Request) -> Response:
        return Response(await self.render(), media_type=CONTENT_TYPE_LATEST)


def metrics_endpoint(metrics: Metrics, settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """/metrics for the bearer of METRICS_TOKEN (anything else: 401, no body). Without the token it is
    open in development and test, and off in production (404, said once in the startup log)."""
    if settings.metrics_token is None:
        if not settings.is_production:
            return metrics.endpoint
        log.warning("/metrics is off: METRICS_TOKEN is not set (scrape with Authorization: Bearer <token>)")

        async def off(request: Request) -> Response:
            return PlainTextResponse("Not Found", status_code=404)

        return off
    expected = hashlib.sha256(settings.metrics_token.encode()).digest()

    async def guarded(request: Request) -> Response:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # Compared as digests, in constant time: neither the token's length nor a prefix shows.
        digest = hashlib.sha256(given.strip().encode()).digest()
        if not (hmac.compare_digest(digest, expected) and scheme.lower() == "bearer"):
            return Response(status_code=401, headers={"www-authenticate": "Bearer"})
        return await metrics.endpoint(request)

    return guarded


@dataclass
class Observation:
    """What one GraphQL request did, noted by the endpoint and counted when it ends."""

    operation: str | None = None
    error_codes: list[str] = field(default_factory=list)
    sign_ins: list[SignInOutcome] = field(default_factory=list)
    lockouts: int = 0


_observation: ContextVar[Observation | None] = ContextVar("observation", default=None)


def current_request_id(request: Request) -> str:
    """The id the middleware gave this request (or, without the middleware, one from the header)."""
    return request_id.get() or _request_id_from(request.headers.get("x-request-id"))


def observe_operation(operation_name: str | None) -> None:
    observation = _observation.get()
    if observation is not None:
        observation.operation = operation_name


def observe_result(query: str, body: dict[str, Any]) -> None:
    """Note the answer's error codes (and, without operationName, the name of the document's first
    operation)."""
    observation = _observation.get()
    if observation is None:
        return
    if observation.operation is None:
        match = _FIRST_OPERATION.match(query)
        observation.operation = match.group(1) if match else None
    errors: list[dict[str, Any]] = body.get("errors") or []
    observation.error_codes.extend(_code_of(error) for error in errors)


def _code_of(error: dict[str, Any]) -> str:
    code = (error.get("extensions") or {}).get("code")
    return code if isinstance(code, str) else "UNKNOWN"


def _sign_in_seen(outcome: SignInOutcome) -> None:
    observation = _observation.get()
    if observation is not None:
        observation.sign_ins.append(outcome)


def _lockout_seen() -> None:
    observation = _observation.get()
    if observation is not None:
        observation.lockouts += 1


def watch_operations() -> None:
    """Count the locks that begin during requests, phantom and real alike, and the sign-ins' outcomes
    (idempotent)."""
    observe_locks(_lockout_seen)
    observe_sign_ins(_sign_in_seen)


# The middleware -----------------------------------------------------------------------------------


def _request_id_from(header: str | None) -> str:
    given = (header or "")[:MAX_REQUEST_ID]
    return given if given.isprintable() and given.strip() else uuid.uuid4().hex


class RequestObservation:
    """Outermost ASGI middleware: the request id for the whole request, and the request's metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics, observed_path: str = "/graphql") -> None:
        self.app = app
        self.metrics = metrics
        self.observed_path = observed_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = _request_id_from(header)
        rid_token = request_id.set(rid)
        observation = Observation() if scope["path"] == self.observed_path else None
        observation_token = _observation.set(observation)
        started = time.perf_counter()
        answered: list[float] = []

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answered.append(time.perf_counter())
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if observation is not None:
                # Latency is until the last byte is sent, not including background tasks after it.
                ended = answered[0] if answered else time.perf_counter()
                self.metrics.record(observation, ended - started)
            _observation.reset(observation_token)
            request_id.reset(rid_token)
