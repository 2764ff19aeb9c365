"""Automatic persisted queries (Apollo's APQ protocol) and per-API-key trusted documents.

A request may name its document by `extensions.persistedQuery.sha256Hash`. Hash alone: run the
document stored under it, else answer `PersistedQueryNotFound` so the client sends hash and query;
hash and query: check the hash, store the query, run it. An API key with trusted documents
(`gateway trust-documents`) runs only those, by text or by hash: anything else is QUERY_NOT_TRUSTED
(HTTP 200, data null, like the other refusals before execution).

Only a document that could run is stored: at most APQ_MAX_BYTES (a larger one is refused, 400), within
the token limit, parsing and validating against the schema; at most APQ_PER_CLIENT_PER_DAY new ones a
day per API key, else per client IP (an IPv6 /64), and APQ_MAX_ENTRIES in all. Past a quota the query
still runs, unstored. The store is a database table (models/partners/persisted_queries.py), apart from the job
queue's Redis, with each web process's recently used documents in a bounded LRU in front of it.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from typing import Any

from graphql import GraphQLError, parse, specified_rules
from starlette.responses import JSONResponse
from strawberry import Schema
from strawberry.schema.schema import validate_document

from models.db.clock import utcnow
from models.partners import persisted_queries
from models.partners.trusted_documents import UNRESTRICTED, sha256_of, trust_for
from schema.context import ApiKeyPrincipal
from schema.errors import RequestErrorCode
from schema.limits import QueryLimits, token_count_exceeds

log = logging.getLogger(__name__)

APQ_VERSION = 1
APQ_MAX_BYTES = 20_000
APQ_PER_CLIENT_PER_DAY = 100
APQ_MAX_ENTRIES = 10_000
APQ_CACHE_ENTRIES = 512  # per web process: at most 512 x 20 KB
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
    errors = document_errors(schema, text)
    if errors:
        where = "".join(f" at line {loc.line}:{loc.column}" for loc in (errors[0].locations or [])[:1])
        message = errors[0].message.replace("\n", " ")
        raise BadDocument(f"{path}: not a valid GraphQL document{where}: {message}")
    return text


def document_errors(schema: Schema, text: str) -> list[GraphQLError]:
    """Why the document cannot run on the schema (parse, validation, depth, aliases), or nothing."""
    try:
        document = parse(text)
    except GraphQLError as error:
        return [error]
    return validate_document(schema._schema, document, (*specified_rules, QueryLimits))


def client_key(api_key: ApiKeyPrincipal | None, ip_address: str | None) -> str:
    """Whose quota a stored document counts against: the API key's, else the client IP's (an IPv6
    address's /64, which one subscriber's line gets whole)."""
    if api_key is not None:
        return f"key:{api_key.api_key_id}"
    try:
        address = ipaddress.ip_address(ip_address or "")
    except ValueError:
        return "ip:unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


class PersistedQueries:
    """The APQ store as one web process sees it: the database table, behind an LRU of the documents
    this process served lately (a hit costs no SQL; a document is cached until it expires)."""

    def __init__(self, cache_entries: int = APQ_CACHE_ENTRIES) -> None:
        self.cache_entries = cache_entries
        self._cache: OrderedDict[str, tuple[str, datetime]] = OrderedDict()

    async def get(self, sha256: str) -> str | None:
        now = utcnow()
        cached = self._cache.get(sha256)
        if cached is not None:
            if cached[1] > now:
                self._cache.move_to_end(sha256)
                return cached[0]
            del self._cache[sha256]
        found = await persisted_queries.stored_document(sha256, now)
        if found is None:
            return None
        self._remember(sha256, *found)
        return found[0]

    async def register(self, sha256: str, query: str, client: str, schema: Schema) -> None:
        """Store the query under its (checked) hash if it could run and the quotas allow it."""
        if await self.get(sha256) is not None:
            return
        if token_count_exceeds(query) or document_errors(schema, query):
            return  # it is refused when it runs; nothing is kept
        now = utcnow()
        outcome = await persisted_queries.store(
            sha256,
            query,
            client,
            per_client_per_day=APQ_PER_CLIENT_PER_DAY,
            max_entries=APQ_MAX_ENTRIES,
            now=now,
        )
        if outcome is persisted_queries.Stored.STORED:
            self._remember(sha256, query, now + persisted_queries.TTL)
        elif outcome is not persisted_queries.Stored.KNOWN:
            # The query still runs; the client sends it whole next time.
            log.warning("persisted query %s not stored (%s, client %s)", sha256, outcome.value, client)

    def _remember(self, sha256: str, document: str, expires_at: datetime) -> None:
        self._cache[sha256] = (document, expires_at)
        self._cache.move_to_end(sha256)
        while len(self._cache) > self.cache_entries:
            self._cache.popitem(last=False)


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
    store: PersistedQueries,
    client: str,
    schema: Schema,
    request_id: str,
) -> str | JSONResponse:
    """The document to run: the query sent or the one its hash names; a response when none may run.
    A query sent with its hash is stored (see the module's docstring) unless a trusted document."""
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
        query = trust.document or await store.get(sha256)
        if query is None:
            # Apollo clients look for exactly this message to resend the hash with its query.
            return _error("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND, request_id)
    elif sha256 is not None and trust.document is None:
        size = len(query.encode())
        if size > APQ_MAX_BYTES:
            message = (
                f"A persisted query may be at most {APQ_MAX_BYTES} bytes; this one has {size}."
                " Send it without extensions.persistedQuery."
            )
            return _error(message, RequestErrorCode.BAD_REQUEST, request_id, 400)
        await store.register(sha256, query, client, schema)
    return query


def _error(
    message: str, code: str, request_id: str, status_code: int = 200, *, data: bool = False
) -> JSONResponse:
    body: dict[str, Any] = {"data": None} if data else {}
    body["errors"] = [{"message": message, "extensions": {"code": code}}]
    return JSONResponse(body, status_code=status_code, headers={"x-request-id": request_id})
