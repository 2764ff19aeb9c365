"""STRIPE_PUBLISHABLE_KEY and STRIPE_JS_URL: what the portal's card form needs, refused in one line when
wrong (a secret key where the public one goes, keys of two modes, a URL that is not one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import Settings, SettingsError
from tests.test_settings import PRODUCTION

STRIPE = {"PAYMENT_PROCESSOR": "stripe", "STRIPE_SECRET_KEY": "sk_test_secret"}
IN_PRODUCTION = {
    **PRODUCTION,
    "PAYMENT_PROCESSOR": "stripe",
    "STRIPE_SECRET_KEY": "sk_live_secret",
    "STRIPE_WEBHOOK_SECRET": "whsec_secret",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_public",
}


def test_development_takes_stripe_without_a_publishable_key_and_loads_stripe_js_from_stripe(
    tmp_path: Path,
) -> None:
    # given Stripe in development with its secret key only, then with a test publishable key too
    environ = {"DATA_DIR": str(tmp_path), **STRIPE}
    # when
    bare = Settings.from_env(environ)
    keyed = Settings.from_env({**environ, "STRIPE_PUBLISHABLE_KEY": " pk_test_public "})
    # then
    assert (bare.stripe_publishable_key, bare.stripe_js_url) == (None, "https://js.stripe.com/v3/")
    assert keyed.stripe_publishable_key == "pk_test_public"


def test_stripe_js_url_may_point_at_a_stand_in_outside_production(tmp_path: Path) -> None:
    # given localstripe's fake Stripe.js
    environ = {
        "DATA_DIR": str(tmp_path),
        **STRIPE,
        "STRIPE_JS_URL": "http://127.0.0.1:8420/js.stripe.com/v3/",
    }
    # when
    settings = Settings.from_env(environ)
    # then
    assert settings.stripe_js_url == "http://127.0.0.1:8420/js.stripe.com/v3/"


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (
            "STRIPE_PUBLISHABLE_KEY",
            "sk_test_secret",
            "STRIPE_PUBLISHABLE_KEY holds a secret key, which must never reach a browser:"
            " give the publishable key (pk_live_... or pk_test_...)",
        ),
        (
            "STRIPE_PUBLISHABLE_KEY",
            "rk_test_restricted",
            "STRIPE_PUBLISHABLE_KEY holds a secret key, which must never reach a browser:"
            " give the publishable key (pk_live_... or pk_test_...)",
        ),
        (
            "STRIPE_PUBLISHABLE_KEY",
            "public",
            "STRIPE_PUBLISHABLE_KEY must be a publishable key: pk_live_... or pk_test_...",
        ),
        (
            "STRIPE_PUBLISHABLE_KEY",
            "pk_live_public",
            "STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY must both be live keys or both test keys",
        ),
        (
            "STRIPE_JS_URL",
            "js.stripe.com/v3/",
            "STRIPE_JS_URL must be an http(s):// URL like https://js.stripe.com/v3/, not 'js.stripe.com/v3/'",
        ),
        (
            "STRIPE_JS_URL",
            "https://js.stripe.com/v3/; script-src *",
            "STRIPE_JS_URL must be an http(s):// URL like https://js.stripe.com/v3/,"
            " not 'https://js.stripe.com/v3/; script-src *'",
        ),
        (
            "STRIPE_JS_URL",
            "https:///v3/",
            "STRIPE_JS_URL must be an http(s):// URL like https://js.stripe.com/v3/, not 'https:///v3/'",
        ),
    ],
)
def test_a_wrong_publishable_key_or_stripe_js_url_is_refused_in_one_line(
    tmp_path: Path, name: str, raw: str, message: str
) -> None:
    # given development with Stripe (test keys) and one wrong value
    environ = {"DATA_DIR": str(tmp_path), **STRIPE, name: raw}
    # when / then
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value) == message


def test_production_loads_stripe_js_over_https_only() -> None:
    # given production with Stripe and a plain-http Stripe.js
    environ = {**IN_PRODUCTION, "STRIPE_JS_URL": "http://js.example.com/v3/"}
    # when / then
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value) == "STRIPE_JS_URL must be an https:// URL in production"
    assert Settings.from_env(IN_PRODUCTION).stripe_js_url == "https://js.stripe.com/v3/"


def test_a_test_publishable_key_with_a_live_secret_key_is_refused_in_production() -> None:
    # given production's live secret key and a test publishable key
    environ = {**IN_PRODUCTION, "STRIPE_PUBLISHABLE_KEY": "pk_test_public"}
    # when / then
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value) == (
        "STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY must both be live keys or both test keys"
    )
