"""Signatures of the short-lived links to a statement's PDF. A signature says the link was handed out by
the API within LINK_SECONDS; it is never enough alone: whoever opens the link must still be a member who
may view the account's billing (gateway/statement_pdf.py checks both)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

LINK_SECONDS = 300
# The link's path; the statement is named by its global ID, as the API names it.
PDF_PATH = "/statements/{statement_id}.pdf"


def statement_signature(secret_key: str, statement_id: int, expires: int) -> str:
    """HMAC-SHA256 of the statement and the link's expiry (Unix seconds), under its own purpose prefix."""
    message = f"statement-pdf:{statement_id}:{expires}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def signed_expiry(secret_key: str, statement_id: int, now: datetime) -> tuple[int, str]:
    """(expires, signature) of a link to the statement's PDF that works for LINK_SECONDS from `now`."""
    expires = int(now.timestamp()) + LINK_SECONDS
    return expires, statement_signature(secret_key, statement_id, expires)


def link_is_valid(secret_key: str, statement_id: int, expires: int, signature: str, now: datetime) -> bool:
    """The signature is ours for this statement and expiry (compared in constant time), and unexpired."""
    expected = statement_signature(secret_key, statement_id, expires)
    genuine = hmac.compare_digest(expected.encode(), signature.encode())
    return genuine and now.timestamp() < expires
