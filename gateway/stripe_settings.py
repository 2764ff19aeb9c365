"""Stripe's settings, read from the environment and checked: the API keys, the webhook's secret, where the
API is, and where the portal loads Stripe.js from.

A leaf like gateway/settings.py, which uses it: it imports nothing of the project but its readers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from gateway.env_values import SettingsError

STRIPE_API_BASE = "https://api.stripe.com"
STRIPE_JS_URL = "https://js.stripe.com/v3/"
# A URL that goes into the Content-Security-Policy header (its origin) and a script element: nothing that
# could end a directive or a source list there.
CSP_BREAKING = frozenset(" \t\r\n;,'\"")


def stripe_settings(env: Mapping[str, str], environment: str) -> dict[str, Any]:
    """Stripe's keys: the secret key whenever PAYMENT_PROCESSOR=stripe; in production the webhook's secret
    (without it no late answer is trusted, and every 3-D Secure payment waits for reconcile) and the
    publishable key (without it the portal cannot take a card) too."""
    secret_key = env.get("STRIPE_SECRET_KEY", "").strip() or None
    webhook_secret = env.get("STRIPE_WEBHOOK_SECRET", "").strip() or None
    publishable_key = env.get("STRIPE_PUBLISHABLE_KEY", "").strip() or None
    if env.get("PAYMENT_PROCESSOR", "").strip() == "stripe":
        needed = ["STRIPE_SECRET_KEY"] if secret_key is None else []
        if environment == "production":
            needed += [name for name, value in _production_keys(webhook_secret, publishable_key) if not value]
        if needed:
            raise SettingsError(f"PAYMENT_PROCESSOR=stripe needs {_and(needed)} set")
    if publishable_key is not None:
        _check_publishable(publishable_key, secret_key)
    api_base = (env.get("STRIPE_API_BASE", "").strip() or STRIPE_API_BASE).rstrip("/")
    if not api_base.startswith(("https://", "http://")):
        raise SettingsError(f"STRIPE_API_BASE must be an http(s):// URL, not {api_base[:40]!r}")
    if environment == "production" and not api_base.startswith("https://"):
        raise SettingsError("STRIPE_API_BASE must be an https:// URL in production")
    return {
        "stripe_secret_key": secret_key,
        "stripe_webhook_secret": webhook_secret,
        "stripe_publishable_key": publishable_key,
        "stripe_api_base": api_base,
        "stripe_js_url": _js_url(env, environment),
    }


def _production_keys(webhook_secret: str | None, publishable_key: str | None) -> list[tuple[str, str | None]]:
    return [("STRIPE_WEBHOOK_SECRET", webhook_secret), ("STRIPE_PUBLISHABLE_KEY", publishable_key)]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check_publishable(key: str, secret_key: str | None) -> None:
    """The publishable key goes to every member's browser: a secret key there would be published."""
    if key.startswith(("sk_", "rk_")):
        raise SettingsError(
            "STRIPE_PUBLISHABLE_KEY holds a secret key, which must never reach a browser:"
            " give the publishable key (pk_live_... or pk_test_...)"
        )
    if not key.startswith(("pk_live_", "pk_test_")):
        raise SettingsError("STRIPE_PUBLISHABLE_KEY must be a publishable key: pk_live_... or pk_test_...")
    if secret_key is not None and secret_key.startswith(("sk_", "rk_")):
        publishable_live, secret_live = key.startswith("pk_live_"), "_live_" in secret_key[:8]
        if publishable_live != secret_live:
            raise SettingsError(
                "STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY must both be live keys or both test keys"
            )


def _js_url(env: Mapping[str, str], environment: str) -> str:
    """Where the portal loads Stripe.js; its origin is allowed in the portal's Content-Security-Policy."""
    url = env.get("STRIPE_JS_URL", "").strip() or STRIPE_JS_URL
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or CSP_BREAKING & set(url):
        raise SettingsError(f"STRIPE_JS_URL must be an http(s):// URL like {STRIPE_JS_URL}, not {url[:60]!r}")
    if environment == "production" and parts.scheme != "https":
        raise SettingsError("STRIPE_JS_URL must be an https:// URL in production")
    return url
