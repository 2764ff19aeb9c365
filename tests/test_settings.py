"""Settings: defaults, production refusals with one line naming what is wrong, the kept development secret."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from gateway.settings import Settings, SettingsError

LONG_SECRET = "s" * 40
# Everything production requires, each set to a value it accepts.
PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": LONG_SECRET,
    "DATABASE_URL": "postgres://db/x",
    "REDIS_URL": "redis://cache",
    "PUBLIC_URL": "https://portal.example.com",
    "SMTP_URL": "smtp://mail.example.com:587",
    "SMS_URL": "https://sms.example.com/messages",
    "TRUSTED_PROXIES": "10.0.0.0/8",
}


def test_defaults_in_development(tmp_path: Path) -> None:
    # given an environment that names only the data directory
    environ = {"DATA_DIR": str(tmp_path)}
    # when
    settings = Settings.from_env(environ)
    # then
    assert settings.environment == "development"
    assert settings.database_url == f"sqlite://{tmp_path / 'gateway.sqlite3'}"
    assert settings.redis_url is None
    assert settings.smtp_url is None
    assert settings.sms_url is None
    assert settings.mail_from == "no-reply@localhost"
    assert settings.public_url == "http://localhost:8000"
    assert (settings.lockout_threshold, settings.lockout_seconds) == (5, 900)
    assert settings.step_up_seconds == 600
    assert (settings.session_idle_seconds, settings.session_max_seconds) == (1800, 43200)
    assert settings.activation_seconds == 72 * 3600
    assert settings.trusted_proxies == ()
    assert settings.mail_dir == tmp_path / "mail"
    assert settings.sms_file == tmp_path / "sms.jsonl"


def test_values_are_read_from_the_environment(tmp_path: Path) -> None:
    environ = {
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://db/gateway",
        "REDIS_URL": "redis://cache:6379/1",
        "PUBLIC_URL": "https://portal.example.com/",
        "LOCKOUT_THRESHOLD": "7",
        "STEP_UP_SECONDS": "120",
        "TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1",
    }
    settings = Settings.from_env(environ)
    assert settings.database_url == "postgres://db/gateway"
    assert settings.redis_url == "redis://cache:6379/1"
    assert settings.public_url == "https://portal.example.com"
    assert settings.lockout_threshold == 7
    assert settings.step_up_seconds == 120
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.0.2.1")


def test_production_names_every_missing_setting_in_one_line() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"ENVIRONMENT": "production"})
    assert str(refused.value) == (
        "ENVIRONMENT=production needs SECRET_KEY, DATABASE_URL, REDIS_URL, PUBLIC_URL, SMTP_URL, SMS_URL,"
        " TRUSTED_PROXIES set (TRUSTED_PROXIES=none if no proxy or load balancer is in front)"
    )


def test_production_names_only_what_is_missing() -> None:
    environ = {name: value for name, value in PRODUCTION.items() if name not in ("REDIS_URL", "SMS_URL")}
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value) == "ENVIRONMENT=production needs REDIS_URL, SMS_URL set"


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**PRODUCTION, "SECRET_KEY": "short"})
    assert str(refused.value) == "SECRET_KEY must be at least 32 characters in production"


def test_production_starts_with_everything_set() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.is_production
    assert settings.secret_key == LONG_SECRET
    assert settings.https


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("LOCKOUT_THRESHOLD", "five", "LOCKOUT_THRESHOLD must be a whole number, not 'five'"),
        ("LOCKOUT_SECONDS", "1.5", "LOCKOUT_SECONDS must be a whole number, not '1.5'"),
        ("STEP_UP_SECONDS", "0", "STEP_UP_SECONDS must be positive, not 0"),
        ("SESSION_IDLE_SECONDS", "-60", "SESSION_IDLE_SECONDS must be positive, not -60"),
        (
            "TRUSTED_PROXIES",
            "10.0.0.0/8,proxy",
            "TRUSTED_PROXIES holds 'proxy', which is not an IP address or network",
        ),
        ("ENVIRONMENT", "staging", "ENVIRONMENT must be development, production or test, not 'staging'"),
        ("AUTOPAY_TIME", "7am", "AUTOPAY_TIME must be a time of day as HH:MM (UTC), not '7am'"),
        ("AUTOPAY_TIME", "7:5", "AUTOPAY_TIME must be a time of day as HH:MM (UTC), not '7:5'"),
        (
            "AUTOPAY_TIME",
            "24:00",
            "AUTOPAY_TIME must be a time of day from 00:00 to 23:59 (UTC), not '24:00'",
        ),
        ("AUTOPAY_TIME", "-1:30", "AUTOPAY_TIME must be a time of day as HH:MM (UTC), not '-1:30'"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(
    tmp_path: Path, name: str, raw: str, message: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"DATA_DIR": str(tmp_path), name: raw})
    assert str(refused.value) == message
    assert "\n" not in str(refused.value)


def test_autopay_time_is_a_utc_time_of_day(tmp_path: Path) -> None:
    default = Settings.from_env({"DATA_DIR": str(tmp_path)})
    set_to = Settings.from_env({"DATA_DIR": str(tmp_path), "AUTOPAY_TIME": " 5:30 "})
    assert (default.autopay_time, set_to.autopay_time) == (time(7, 0), time(5, 30))


def test_development_secret_is_generated_once_and_reused(tmp_path: Path) -> None:
    # given no SECRET_KEY
    environ = {"DATA_DIR": str(tmp_path / "var")}
    # when the settings are read twice
    first = Settings.from_env(environ)
    second = Settings.from_env(environ)
    # then one secret was generated, kept private in DATA_DIR, and reused
    kept = tmp_path / "var" / "secret_key"
    assert len(first.secret_key) >= 32
    assert second.secret_key == first.secret_key == kept.read_text()
    assert kept.stat().st_mode & 0o777 == 0o600


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        settings.environment = "production"  # type: ignore[misc]
    assert settings.with_overrides(redis_url="redis://x").redis_url == "redis://x"
    assert settings.redis_url is None


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (
            "PUBLIC_URL",
            "http://localhost:8000",
            "PUBLIC_URL must be an https:// URL in production, not 'http://localhost:8000'",
        ),
        (
            "PAYMENT_PROCESSOR",
            "sandbox",
            "PAYMENT_PROCESSOR=sandbox takes no real money and cannot be used in production"
            " (unset, payments answer PAYMENTS_UNAVAILABLE)",
        ),
        (
            "SANDBOX_LATENCY_MS",
            "300",
            "SANDBOX_LATENCY_MS is a sandbox setting; it cannot be set in production",
        ),
        (
            "TRUSTED_PROXIES",
            " ",
            "ENVIRONMENT=production needs TRUSTED_PROXIES set"
            " (TRUSTED_PROXIES=none if no proxy or load balancer is in front)",
        ),
        (
            "SMTP_URL",
            "http://user:hunter2@mail.example.com",
            "SMTP_URL must start with smtp:// or smtps://, not 'http'",
        ),
        (
            "SMS_URL",
            "sms.example.com/messages",
            "SMS_URL must start with https:// or http://, not 'no scheme'",
        ),
    ],
)
def test_production_refuses_a_development_back_end_naming_the_setting(
    name: str, raw: str, message: str
) -> None:
    # given production with one setting left at, or set to, a development back end
    environ = {**PRODUCTION, name: raw}
    # when / then it does not start, and says why in one line
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value) == message


def test_production_without_a_processor_has_payments_off_and_may_trust_no_proxy() -> None:
    # given production with no PAYMENT_PROCESSOR and explicitly no proxy in front
    environ = {**PRODUCTION, "TRUSTED_PROXIES": "none"}
    # when
    settings = Settings.from_env(environ)
    # then payments are off (never the sandbox), and the client IP is the socket's peer
    assert settings.payment_processor == "none"
    assert settings.payments_off_reason is not None
    assert "PAYMENTS_UNAVAILABLE" in settings.payments_off_reason
    assert settings.trusted_proxies == ()


def test_development_keeps_the_sandbox_and_plain_http(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path), "TRUSTED_PROXIES": "none"})
    assert settings.payment_processor == "sandbox"
    assert settings.payments_off_reason is None
    assert not settings.https
    assert settings.trusted_proxies == ()
    assert (
        Settings.from_env({"DATA_DIR": str(tmp_path), "PAYMENT_PROCESSOR": "none"}).payment_processor
        == "none"
    )


def test_an_unknown_payment_processor_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"DATA_DIR": str(tmp_path), "PAYMENT_PROCESSOR": "adyen"})
    assert str(refused.value) == "PAYMENT_PROCESSOR must be one of sandbox, none, stripe, not 'adyen'"


def test_stripe_needs_its_secret_key_and_in_production_its_webhook_secret_and_publishable_key(
    tmp_path: Path,
) -> None:
    # given Stripe chosen without its keys
    development = {"DATA_DIR": str(tmp_path), "PAYMENT_PROCESSOR": "stripe"}
    production = {**PRODUCTION, "PAYMENT_PROCESSOR": "stripe"}
    # when / then: development needs the API key, production the webhook's secret and Stripe.js's key too
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(development)
    assert str(refused.value) == "PAYMENT_PROCESSOR=stripe needs STRIPE_SECRET_KEY set"
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(production)
    assert str(refused.value) == (
        "PAYMENT_PROCESSOR=stripe needs STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET"
        " and STRIPE_PUBLISHABLE_KEY set"
    )
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**production, "STRIPE_SECRET_KEY": "sk_live_x"})
    assert str(refused.value) == (
        "PAYMENT_PROCESSOR=stripe needs STRIPE_WEBHOOK_SECRET and STRIPE_PUBLISHABLE_KEY set"
    )
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(
            {**production, "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
        )
    assert str(refused.value) == "PAYMENT_PROCESSOR=stripe needs STRIPE_PUBLISHABLE_KEY set"
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(
            {
                **production,
                "STRIPE_SECRET_KEY": "sk_live_x",
                "STRIPE_WEBHOOK_SECRET": "whsec_x",
                "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
                "STRIPE_API_BASE": "http://localhost:8420",
            }
        )
    assert str(refused.value) == "STRIPE_API_BASE must be an https:// URL in production"


def test_stripe_in_production_with_its_keys(tmp_path: Path) -> None:
    # given production with Stripe's keys
    environ = {
        **PRODUCTION,
        "PAYMENT_PROCESSOR": "stripe",
        "STRIPE_SECRET_KEY": "sk_live_secret",
        "STRIPE_WEBHOOK_SECRET": "whsec_secret",
        "STRIPE_PUBLISHABLE_KEY": "pk_live_public",
    }
    # when
    settings = Settings.from_env(environ)
    # then payments are on, against Stripe's own API, and neither key shows in the settings' repr
    assert settings.payment_processor == "stripe"
    assert settings.payments_off_reason is None
    assert settings.stripe_api_base == "https://api.stripe.com"
    assert (settings.stripe_publishable_key, settings.stripe_js_url) == (
        "pk_live_public",
        "https://js.stripe.com/v3/",
    )
    assert "sk_live_secret" not in repr(settings)
    assert "whsec_secret" not in repr(settings)
    # and the sandbox stays refused there
    with pytest.raises(SettingsError):
        Settings.from_env({**environ, "PAYMENT_PROCESSOR": "sandbox"})


def test_dependency_time_outs_default_and_are_read_from_the_environment(tmp_path: Path) -> None:
    # given
    environ = {
        "DATA_DIR": str(tmp_path),
        "REDIS_SOCKET_TIMEOUT_SECONDS": "0.25",
        "DATABASE_TIMEOUT_SECONDS": "4",
    }
    # when
    default, chosen = Settings.from_env({"DATA_DIR": str(tmp_path)}), Settings.from_env(environ)
    # then
    assert (default.redis_connect_timeout_seconds, default.redis_socket_timeout_seconds) == (1.0, 1.0)
    assert (default.database_timeout_seconds, default.readiness_timeout_seconds) == (10.0, 1.0)
    assert (chosen.redis_socket_timeout_seconds, chosen.database_timeout_seconds) == (0.25, 4.0)
    with pytest.raises(SettingsError, match="^READINESS_TIMEOUT_SECONDS must be positive, not 0$"):
        Settings.from_env({"DATA_DIR": str(tmp_path), "READINESS_TIMEOUT_SECONDS": "0"})
