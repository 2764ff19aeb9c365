"""A dependency that does not answer (the database past DATABASE_TIMEOUT_SECONDS, Redis past its time-outs,
either refusing connections) answers 503 with a GraphQL error, not Starlette's plain-text 500.

Resolvers' own failures are the GraphQL endpoint's to mask; this catches what escapes before or around
execution, such as the session lookup of the authentication middleware while the database hangs."""

from __future__ import annotations

import logging

import orjson
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError

from workers.queue import request_id

log = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
RETRY_AFTER_SECONDS = 5
# asyncpg's command and pool time-outs raise TimeoutError; a refused connection is an OSError.
UNAVAILABLE = (TimeoutError, OSError, DBConnectionError, RedisConnectionError, RedisTimeoutError)


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
        except UNAVAILABLE as error:
            if started:
                raise
            rid = request_id.get() or "unknown"
            log.error("request %s: a dependency did not answer: %r", rid, error)
            await _answer_unavailable(send, rid)


async def _answer_unavailable(send: Send, rid: str) -> None:
    error = {
        "message": "A service this request needs is not answering. Try again shortly; "
        f"quote request id {rid} if it persists.",
        "extensions": {"code": SERVICE_UNAVAILABLE, "requestId": rid},
    }
    body = orjson.dumps({"data": None, "errors": [error]})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
