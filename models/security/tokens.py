"""Secrets handed to people: 256-bit link tokens and six-digit codes, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> tuple[str, str]:
    """A fresh opaque token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_code(secret_key: str, code: str) -> str:
    """Keyed, because six digits alone are quick to reverse from a plain hash."""
    return hmac.new(secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def csrf_token_for(secret_key: str, session_token: str) -> str:
    """Bound to the session, so a cookie planted by another site cannot pass the double-submit check."""
    return hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()
