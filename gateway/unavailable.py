"""A dependency that does not answer (the database past DATABASE_TIMEOUT_SECONDS, Redis past its time-outs,
either refusing or dropping connections) answers 503 SERVICE_UNAVAILABLE with Retry-After: the caller may
try again shortly. Never Starlette's plain-text 500, nor INTERNAL with its "report it" message.

This middleware catches what escapes before or around execution, such as the session lookup of the
authentication middleware while the database hangs; a resolver's failure reaches the GraphQL endpoint,
which asks `dependency_unavailable` and answers the same way (`unavailable_error`)."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from graphql import GraphQLError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.db.unavailable import database_unavailable
from schema.errors import RequestErrorCode
from workers.queue import request_id

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def dependency_unavailable(error: BaseException | None) -> bool:
    """The database or Redis did not answer in time, or could not be reached."""
    if error is None:
        return False
    return isinstance(error, (RedisConnectionError, RedisTimeoutError)) or database_unavailable(error)


def unavailable_error(rid: str, located: GraphQLError | None = None) -> dict[str, Any]:
    """The GraphQL error of a request a dependency failed (at a field's path and locations, if given)."""
    error: dict[str, Any] = {
        "message": "A service this request needs is not answering. Try again shortly; "
        f"quote request id {rid} if it persists.",
    }
    if located is not None:
        error["locations"] = [location._asdict() for location in located.locations or []]
        error["path"] = located.path
    error["extensions"] = {"code": RequestErrorCode.SERVICE_UNAVAILABLE.value, "requestId": rid}
    return error


class DependencyUnavailable:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as error:
            if started or not dependency_unavailable(error):
                raise
            rid = request_id.get() or "unknown"
            log.error("request %s: a dependency did not answer: %r", rid, error)
            await _answer_unavailable(send, rid)


async def _answer_unavailable(send: Send, rid: str) -> None:
    body = orjson.dumps({"data": None, "errors": [unavailable_error(rid)]})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
