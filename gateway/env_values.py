"""Reading one environment variable into a checked value, or refusing it in one line that names it.

A leaf like gateway/settings.py, which uses it: it imports nothing of the project."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import time

# TRUSTED_PROXIES=none says "no proxy in front" (see gateway/settings.py).
NO_PROXY = "none"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


def positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 < value < float("inf"):
        raise SettingsError(f"{name} must be positive, not {raw.strip()}")
    return value


def time_of_day(env: Mapping[str, str], name: str, default: time) -> time:
    """HH:MM on a 24-hour clock (UTC, as the workers' schedule is)."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    hours, colon, minutes = raw.strip().partition(":")
    if not (colon and len(minutes) == 2 and f"{hours}{minutes}".isascii() and f"{hours}{minutes}".isdigit()):
        raise SettingsError(f"{name} must be a time of day as HH:MM (UTC), not {raw!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise SettingsError(f"{name} must be a time of day from 00:00 to 23:59 (UTC), not {raw!r}")
    return time(int(hours), int(minutes))


def transport_url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    """An optional URL of a transport; its scheme is checked now rather than at the first message."""
    url = env.get(name, "").strip()
    if not url:
        return None
    if not url.lower().startswith(schemes):
        # The URL may carry a password: only its scheme goes into the message.
        scheme = url.partition("://")[0] if "://" in url else "no scheme"
        raise SettingsError(f"{name} must start with {' or '.join(schemes)}, not {scheme[:20]!r}")
    return url


def networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    if raw.strip().lower() == NO_PROXY:
        return ()
    networks = tuple(part.strip() for part in raw.split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(f"{name} holds {network!r}, which is not an IP address or network") from None
    return networks


def origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in env.get(name, "").split(",") if part.strip())
    for origin in origins:
        if not origin.startswith(("https://", "http://")) or origin.count("/") != 2:
            raise SettingsError(f"{name} holds {origin!r}; give origins like https://portal.example.com")
    return origins
