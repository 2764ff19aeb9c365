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

from gateway.auth import SessionBackend
from gateway.graphql_endpoint import GraphQLEndpoint
from gateway.headers import SecurityHeaders, portal_csp
from gateway.heap import settle_after_startup
from gateway.logs import configure_logging
from gateway.observability import Metrics, RequestObservation, metrics_endpoint, watch_operations
from gateway.portal import Portal
from gateway.readiness import readiness_endpoint
from gateway.redis_client import redis_client
from gateway.settings import Settings, SettingsError
from gateway.statement_pdf import statement_pdf_route
from gateway.unavailable import DependencyUnavailable
from gateway.webhooks import webhook_routes
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
        await open_database(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
        if settings.redis_url:
            connect_timeout = settings.redis_connect_timeout_seconds
            socket_timeout = settings.redis_socket_timeout_seconds
            endpoint.queue = Queue.unchecked(
                settings.redis_url, connect_timeout=connect_timeout, socket_timeout=socket_timeout
            )
            endpoint.redis = redis_client(
                settings.redis_url, connect_timeout=connect_timeout, socket_timeout=socket_timeout
            )
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
        Middleware(DependencyUnavailable),
        Middleware(AuthenticationMiddleware, backend=SessionBackend(settings)),
    ]
    return Starlette(
        routes=[
            Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route(
                "/readyz",
                readiness_endpoint(lambda: endpoint.redis, settings.readiness_timeout_seconds),
                methods=["GET"],
            ),
            Route("/metrics", metrics_endpoint(metrics, settings), methods=["GET"]),
            *webhook_routes(settings),
            statement_pdf_route(settings),
            *Portal(settings.portal_dir, portal_csp(settings)).routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


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
