"""Global IDs: opaque base64 of "Type:pk", the same ones the CLI prints."""

from __future__ import annotations

import base64
import binascii


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def parse_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, pk), or None for anything that is not one of our IDs."""
    if not global_id or len(global_id) > 100:
        return None
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        decoded = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, raw_pk = decoded.partition(":")
    if not type_name or not raw_pk.isdigit() or len(raw_pk) > 18:
        return None
    return type_name, int(raw_pk)


def pk_of(global_id: str, type_name: str) -> int | None:
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        return None
    return parsed[1]
