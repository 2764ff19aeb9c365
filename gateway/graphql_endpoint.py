"""The /graphql endpoint: reads the request, runs the schema, answers JSON (GraphiQL on GET in development).

Expected errors keep their code; a dependency that did not answer (gateway/unavailable.py) is
SERVICE_UNAVAILABLE with HTTP 503; anything else unexpected is logged with the request id and answered
as INTERNAL, with no exception text, SQL or stack trace.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import cache
from typing import Any

import orjson
from graphql import GraphQLError
from redis.asyncio import Redis
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from strawberry import Schema
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway import persisted
from gateway.auth import PrincipalUser, client_ip
from gateway.observability import current_request_id, observe_operation, observe_result
from gateway.rate_limit import api_key_refusal
from gateway.settings import Settings
from gateway.unavailable import RETRY_AFTER_SECONDS, dependency_unavailable, unavailable_error
from models.access import GRANTABLE, sorted_permissions
from models.notify.outbox import track_written
from models.security.passwords import Passwords
from models.security.sessions import ClientInfo
from schema.context import Context
from schema.errors import RequestErrorCode
from schema.limits import MAX_TOKENS, token_count_exceeds, too_complex
from workers.queue import Queue

log = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = RequestErrorCode.SERVICE_UNAVAILABLE.value
MAX_BODY_BYTES = 100_000


class GraphQLResponse(JSONResponse):
    """JSONResponse's compact UTF-8 JSON, written by orjson: several times faster on a dashboard's answer."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@cache
def graphiql_html() -> str:
    """Read from Strawberry's package once, not on every GET."""
    return get_graphql_ide_html()


class GraphQLEndpoint:
    def __init__(
        self,
        schema: Schema,
        settings: Settings,
        passwords: Passwords,
        queue: Queue | None,
        redis: Redis | None,
    ) -> None:
        self.schema = schema
        # Partner API keys run on the same types with their own cost budget (set by the app factory).
        self.key_schema = schema
        self.settings = settings
        self.passwords = passwords
        self.queue = queue
        self.redis = redis
        self.persisted = persisted.PersistedQueries()

    async def handle(self, request: Request) -> Response:
        request_id = current_request_id(request)
        if request.method == "GET":
            wants_ide = not {"query", "extensions"} & set(request.query_params)
            if wants_ide and not self.settings.is_production:
                return HTMLResponse(graphiql_html())
            params = _get_params(request)
            allowed: tuple[OperationType, ...] = (OperationType.QUERY,)
        else:
            params = await _post_params(request)
            allowed = (OperationType.QUERY, OperationType.MUTATION)
        if isinstance(params, Response):
            return params
        sent_query, variables, operation_name, sha256 = params
        observe_operation(operation_name)
        user = request.user
        assert isinstance(user, PrincipalUser)
        limited = await api_key_refusal(user.api_key, self.redis, self.settings, request_id)
        if limited is not None:
            return limited
        served = self.key_schema if user.api_key is not None else self.schema
        client = persisted.client_key(user.api_key, client_ip(request, self.settings.trusted_proxies))
        query = await persisted.document_for(
            sent_query, sha256, user.api_key, self.persisted, client, served, request_id
        )
        if isinstance(query, Response):
            return query
        if token_count_exceeds(query):
            refusal = too_complex(f"The document has more than {MAX_TOKENS} tokens.", "tokens", MAX_TOKENS)
            refused = {"data": None, "errors": [refusal.formatted]}
            observe_result(query, refused)
            return JSONResponse(refused, headers={"x-request-id": request_id})
        context = self._context(request)
        written = track_written()
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                result = await served.execute(
                    query,
                    variable_values=variables,
                    context_value=context,
                    operation_name=operation_name,
                    allowed_operation_types=allowed,
                )
        except TimeoutError:
            log.error(
                "request %s ran past %s s and was stopped", request_id, self.settings.request_timeout_seconds
            )
            return JSONResponse(
                {"data": None, "errors": [timed_out(request_id, self.settings.request_timeout_seconds)]},
                status_code=503,
                headers={"x-request-id": request_id},
            )
        except InvalidOperationTypeError:
            return bad_request("Only queries may be sent with GET; send mutations with POST.", 405)
        except CannotGetOperationTypeError:
            return bad_request("`operationName` names no operation of the document.")
        finally:
            context.loaders.close()
        body: dict[str, Any] = {"data": result.data}
        headers = {"x-request-id": request_id}
        if result.errors:
            body["errors"] = [
                _format_error(error, request_id, suggestions=not self.settings.is_production)
                for error in result.errors
            ]
        unavailable = any(
            error["extensions"]["code"] == SERVICE_UNAVAILABLE for error in body.get("errors", [])
        )
        if unavailable:
            headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        observe_result(query, body)
        background = BackgroundTask(self.queue.deliver, list(written)) if written and self.queue else None
        response = GraphQLResponse(
            body, status_code=503 if unavailable else 200, headers=headers, background=background
        )
        for name, value in context.response.raw_headers:
            if name == b"set-cookie":
                response.raw_headers.append((name, value))
        return response

    def _context(self, request: Request) -> Context:
        user = request.user
        assert isinstance(user, PrincipalUser)
        context = Context(
            request=request,
            response=Response(),
            settings=self.settings,
            passwords=self.passwords,
            principal=user.principal,
            api_key=user.api_key,
            client=ClientInfo(
                ip_address=client_ip(request, self.settings.trusted_proxies),
                user_agent=request.headers.get("user-agent"),
            ),
        )
        principal = user.principal
        if principal is not None:
            # Authentication already read the caller's grants: `me { permissions }` needs no query.
            grants = sorted_permissions(principal.permissions & GRANTABLE[principal.member.role_enum])
            context.loaders.grants_by_member.prime(principal.member.id, grants)
        return context


# query (None when a persisted-query hash names it), variables, operationName, persisted-query hash
Params = tuple[str | None, dict[str, Any] | None, str | None, str | None]


def bad_request(message: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": RequestErrorCode.BAD_REQUEST.value}}]},
        status_code=status_code,
    )


def _get_params(request: Request) -> Params | Response:
    raw_variables = request.query_params.get("variables")
    variables: Any = None
    if raw_variables:
        try:
            variables = orjson.loads(raw_variables)
        except ValueError:
            return bad_request("`variables` is not valid JSON.")
    raw_extensions = request.query_params.get("extensions")
    extensions: Any = None
    if raw_extensions:
        try:
            extensions = orjson.loads(raw_extensions)
        except ValueError:
            return bad_request("`extensions` is not valid JSON.")
    return _validate(
        {
            "query": request.query_params.get("query"),
            "variables": variables,
            "operationName": request.query_params.get("operationName"),
            "extensions": extensions,
        }
    )


async def _post_params(request: Request) -> Params | Response:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return bad_request(f"The request body is larger than {MAX_BODY_BYTES} bytes.", 413)
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            return bad_request(f"The request body is larger than {MAX_BODY_BYTES} bytes.", 413)
    try:
        payload = orjson.loads(raw)
    except ValueError:
        return bad_request("The request body is not JSON.")
    if not isinstance(payload, dict):
        return bad_request("The request body must be a JSON object.")
    return _validate(payload)


def _validate(payload: dict[str, Any]) -> Params | Response:
    try:
        sha256 = persisted.requested_hash(payload.get("extensions"))
    except persisted.BadPersistedQuery as error:
        return bad_request(str(error))
    query = payload.get("query")
    # With a persisted-query hash the query may be left out; when sent, it must be a document.
    if not (sha256 is not None and query is None) and (not isinstance(query, str) or not query.strip()):
        return bad_request("`query` must be a non-empty string.")
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return bad_request("`variables` must be a JSON object.")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return bad_request("`operationName` must be a string.")
    return query, variables, operation_name, sha256


def timed_out(request_id: str, seconds: int) -> dict[str, Any]:
    return {
        "message": f"The request took longer than {seconds} seconds and was stopped.",
        "extensions": {"code": "TIMEOUT", "requestId": request_id},
    }


_SUGGESTION = re.compile(r" Did you mean .*\?$")


def _format_error(error: GraphQLError, request_id: str, *, suggestions: bool = True) -> dict[str, Any]:
    original = error.original_error
    expected = original is None or isinstance(original, (GraphQLError, PermissionError))
    if not expected and dependency_unavailable(original):
        log.error("request %s at %s: a dependency did not answer: %r", request_id, error.path, original)
        return unavailable_error(request_id, error)
    if not expected:
        log.error("unexpected error in request %s at %s", request_id, error.path, exc_info=original)
        return {
            "message": f"Internal error. Quote request id {request_id} when you report it.",
            "locations": [loc._asdict() for loc in error.locations or []],
            "path": error.path,
            "extensions": {"code": RequestErrorCode.INTERNAL.value, "requestId": request_id},
        }
    formatted: dict[str, Any] = dict(error.formatted)
    extensions: dict[str, Any] = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        is_operation_refusal = original is None and error.path is None
        extensions["code"] = "GRAPHQL_VALIDATION_FAILED" if is_operation_refusal else "BAD_USER_INPUT"
    formatted["extensions"] = extensions
    if not suggestions:
        # Production names no fields a caller did not ask for ("Did you mean ...?").
        formatted["message"] = _SUGGESTION.sub("", formatted["message"])
    return formatted
