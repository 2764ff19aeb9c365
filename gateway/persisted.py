"""Automatic persisted queries (Apollo's APQ protocol, kept in Redis) and per-API-key trusted documents.

A request may name its document by `extensions.persistedQuery.sha256Hash`. Hash alone: run the
document stored under it, else answer `PersistedQueryNotFound` so the client sends hash and query;
hash and query: check the hash, store the query, run it. An API key with trusted documents
(`gateway trust-documents`) runs only those, by text or by hash: anything else is QUERY_NOT_TRUSTED
(HTTP 200, data null, like the other refusals before execution).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from graphql import GraphQLError, parse, validate
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.responses import JSONResponse
from strawberry import Schema

from models.trusted_documents import UNRESTRICTED, sha256_of, trust_for
from schema.context import ApiKeyPrincipal
from schema.errors import RequestErrorCode
from schema.limits import token_count_exceeds

log = logging.getLogger(__name__)

APQ_VERSION = 1
APQ_TTL_SECONDS = 7 * 24 * 3600
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
QUERY_NOT_TRUSTED = "QUERY_NOT_TRUSTED"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BadPersistedQuery(ValueError):
    """The request's `extensions` cannot be read; the message is the 400's."""


class BadDocument(ValueError):
    """A file cannot be trusted as a document; the message is one line naming it."""


def checked_document(path: str, schema: Schema) -> str:
    """The exact text of a .graphql file that parses and validates against the schema."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise BadDocument(f"{path}: cannot be read ({reason})") from None
    try:
        errors = validate(schema._schema, parse(text))
    except GraphQLError as error:
        errors = [error]
    if errors:
        where = "".join(f" at line {loc.line}:{loc.column}" for loc in (errors[0].locations or [])[:1])
        message = errors[0].message.replace("\n", " ")
        raise BadDocument(f"{path}: not a valid GraphQL document{where}: {message}")
    return text


def requested_hash(extensions: Any) -> str | None:
    """The SHA-256 an APQ request names (lower case), or None when it names none."""
    if extensions is None:
        return None
    if not isinstance(extensions, dict):
        raise BadPersistedQuery("`extensions` must be a JSON object.")
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise BadPersistedQuery("`extensions.persistedQuery` must be a JSON object.")
    version = persisted.get("version")
    if type(version) is not int or version != APQ_VERSION:
        raise BadPersistedQuery(f"Unsupported persisted query version: only {APQ_VERSION} is supported.")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.lower()):
        raise BadPersistedQuery("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits.")
    return sha256.lower()


async def document_for(
    query: str | None,
    sha256: str | None,
    api_key: ApiKeyPrincipal | None,
    redis: Redis | None,
    request_id: str,
) -> str | JSONResponse:
    """The document to run: the query sent or the one its hash names; a response when none may run."""
    if query is not None and sha256 is not None and sha256_of(query) != sha256:
        return _error("provided sha does not match query", RequestErrorCode.BAD_REQUEST, request_id, 400)
    trust = UNRESTRICTED
    if api_key is not None:
        trust = await trust_for(api_key.api_key_id, sha256 or sha256_of(query or ""))
    if trust.refused:
        return _error(
            "This API key may run only its trusted documents.", QUERY_NOT_TRUSTED, request_id, data=True
        )
    if query is None:
        assert sha256 is not None
        query = trust.document or await _stored(redis, sha256)
        if query is None:
            # Apollo clients look for exactly this message to resend the hash with its query.
            return _error("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND, request_id)
    elif sha256 is not None and not token_count_exceeds(query):
        await _store(redis, sha256, query)
    return query


async def _stored(redis: Redis | None, sha256: str) -> str | None:
    if redis is None:
        return None
    try:
        stored = await redis.get(f"apq:{sha256}")
    except (RedisError, OSError) as error:
        log.warning("persisted-query store unavailable, treating %s as unknown: %s", sha256, error)
        return None
    if stored is None:
        return None
    return stored.decode() if isinstance(stored, bytes) else str(stored)


async def _store(redis: Redis | None, sha256: str, query: str) -> None:
    if redis is None:
        return
    try:
        await redis.set(f"apq:{sha256}", query.encode(), ex=APQ_TTL_SECONDS)
    except (RedisError, OSError) as error:
        # The query still runs; the client resends it when the hash is not found next time.
        log.warning("persisted-query store unavailable, %s not stored: %s", sha256, error)


def _error(
    message: str, code: str, request_id: str, status_code: int = 200, *, data: bool = False
) -> JSONResponse:
    body: dict[str, Any] = {"data": None} if data else {}
    body["errors"] = [{"message": message, "extensions": {"code": code}}]
    return JSONResponse(body, status_code=status_code, headers={"x-request-id": request_id})
