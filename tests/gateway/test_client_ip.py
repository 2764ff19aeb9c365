"""The client IP comes from the socket, or from X-Forwarded-For only behind a trusted proxy."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from gateway.auth import client_ip


def request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request(
        {"type": "http", "method": "POST", "path": "/graphql", "headers": headers, "client": (peer, 1234)}
    )


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", "198.51.100.9", (), "203.0.113.7"),
        ("203.0.113.7", "198.51.100.9", ("10.0.0.0/8",), "203.0.113.7"),
        ("10.0.0.2", "198.51.100.9", ("10.0.0.0/8",), "198.51.100.9"),
        ("10.0.0.2", "198.51.100.9, 10.0.0.5", ("10.0.0.0/8",), "198.51.100.9"),
        ("10.0.0.2", "spoofed, 198.51.100.9", ("10.0.0.0/8",), "198.51.100.9"),
        ("10.0.0.2", "not-an-ip", ("10.0.0.0/8",), "10.0.0.2"),
        ("10.0.0.2", "", ("10.0.0.0/8",), "10.0.0.2"),
        ("10.0.0.2", None, ("10.0.0.0/8",), "10.0.0.2"),
    ],
)
def test_client_ip(peer: str, forwarded: str | None, trusted: tuple[str, ...], expected: str) -> None:
    assert client_ip(request(peer, forwarded), trusted) == expected
