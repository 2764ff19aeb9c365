"""The application factory: Starlette with the GraphQL endpoint, authentication middleware and lifespan."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import connections

from gateway.auth import SessionBackend
from gateway.graphql_endpoint import GraphQLEndpoint
from gateway.headers import SecurityHeaders
from gateway.heap import settle_after_startup
from gateway.logs import configure_logging
from gateway.observability import Metrics, RequestObservation, metrics_endpoint, watch_operations
from gateway.portal import Portal
from gateway.redis_client import redis_client
from gateway.settings import Settings, SettingsError
from gateway.statement_pdf import statement_pdf_route
from models.db.database import close_database, open_database
from models.security.passwords import Passwords
from schema import build_schema, schema
from schema.limits import API_KEY_MAX_COST
from workers.queue import Queue

log = logging.getLogger(__name__)


@dataclass
class Resources:
    """What the app needs at run time; the lifespan opens them unless a caller (tests) hands them in."""

    passwords: Passwords
    queue: Queue | None
    redis: Redis | None


def create_app(settings: Settings, resources: Resources | None = None) -> Starlette:
    passwords = (
        resources.passwords
        if resources
        else Passwords(settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism)
    )
    introspection = not settings.is_production
    served_schema = schema if introspection else build_schema(introspection=False)
    key_schema = build_schema(introspection=introspection, max_cost=API_KEY_MAX_COST)
    endpoint = GraphQLEndpoint(
        served_schema,
        settings,
        passwords,
        resources.queue if resources else None,
        resources.redis if resources else None,
    )
    endpoint.key_schema = key_schema

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.payments_off_reason:
            log.warning(settings.payments_off_reason)
        if resources is not None:
            # `gateway serve` opened them; its heap settles all the same.
            settle_after_startup()
            yield
            return
        await open_database(settings.database_url)
        if settings.redis_url:
            endpoint.queue = Queue.unchecked(settings.redis_url)
            endpoint.redis = redis_client(settings.redis_url)
        settle_after_startup()
        try:
            yield
        finally:
            if endpoint.queue is not None:
                await endpoint.queue.close()
            if endpoint.redis is not None:
                await endpoint.redis.aclose()
            await close_database()

    async def healthz(request: Request) -> JSONResponse:
        """The process answers."""
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        """The database and Redis answer: ready for traffic."""
        checks = {"database": await _database_ready(), "redis": await _redis_ready(endpoint.redis)}
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
        )

    metrics = Metrics()
    watch_operations()
    middleware = [
        Middleware(RequestObservation, metrics=metrics),
        Middleware(SecurityHeaders, https=settings.https),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-csrf-token", "x-request-id"],
            max_age=600,
        ),
        Middleware(AuthenticationMiddleware, backend=SessionBackend(settings)),
    ]
    return Starlette(
        routes=[
            Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint(metrics, settings), methods=["GET"]),
            statement_pdf_route(settings),
            *Portal(settings.portal_dir).routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


async def _database_ready() -> str:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as error:  # any failure means not ready; the kind goes to the answer, not the details
        log.warning("readiness: database check failed: %s", error)
        return "unavailable"
    return "ok"


async def _redis_ready(redis: Redis | None) -> str:
    if redis is None:
        return "not configured"
    try:
        await redis.ping()
    except Exception as error:
        log.warning("readiness: redis check failed: %s", error)
        return "unavailable"
    return "ok"


def app_from_env() -> Starlette:
    """For `uvicorn --factory gateway.app:app_from_env` (the Procfile's web process). A bad setting
    stops it with one line naming the setting and exit status 2, as `gateway serve` does."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        sys.stderr.write(f"gateway web: {error}\n")
        raise SystemExit(2) from None
    configure_logging(settings)
    return create_app(settings)
