"""The application factory: Starlette with the GraphQL endpoint, authentication middleware and lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.auth import SessionBackend
from gateway.graphql_endpoint import GraphQLEndpoint
from gateway.settings import Settings
from models.database import close_database, open_database
from models.passwords import Passwords
from schema import build_schema, schema
from workers.queue import Queue


@dataclass
class Resources:
    """What the app needs at run time; the lifespan opens them unless a caller (tests) hands them in."""

    passwords: Passwords
    queue: Queue | None


def create_app(settings: Settings, resources: Resources | None = None) -> Starlette:
    passwords = (
        resources.passwords
        if resources
        else Passwords(settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism)
    )
    served_schema = build_schema(introspection=False) if settings.is_production else schema
    endpoint = GraphQLEndpoint(served_schema, settings, passwords, resources.queue if resources else None)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if resources is not None:
            yield
            return
        await open_database(settings.database_url)
        if settings.redis_url:
            endpoint.queue = Queue.unchecked(settings.redis_url)
        try:
            yield
        finally:
            if endpoint.queue is not None:
                await endpoint.queue.close()
            await close_database()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=[Middleware(AuthenticationMiddleware, backend=SessionBackend(settings))],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """For `uvicorn --factory gateway.app:app_from_env` (the Procfile's web process)."""
    return create_app(Settings.from_env())
