"""The one settings object: read once from the environment, frozen, failing fast.

This module is a leaf: anyone may import it, and it imports nothing of the project but its readers
(gateway/env_values.py, gateway/stripe_settings.py).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any, Literal

from gateway.env_values import (
    SettingsError as SettingsError,  # raised here, imported from here by the rest
)
from gateway.env_values import (
    networks,
    origins,
    positive_float,
    positive_int,
    time_of_day,
    transport_url,
)
from gateway.stripe_settings import STRIPE_API_BASE, STRIPE_JS_URL, stripe_settings

# Production has no development fallback for any of these: each default (a generated secret, SQLite, the
# embedded Redis, http://localhost, files for mail and SMS, trusting no proxy by omission) is unsafe there.
PRODUCTION_REQUIRED = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "PUBLIC_URL",
    "SMTP_URL",
    "SMS_URL",
    "TRUSTED_PROXIES",
)
SandboxFault = Literal["none", "timeout", "crash_after_charge"]
SANDBOX_FAULTS: tuple[SandboxFault, ...] = ("none", "timeout", "crash_after_charge")
# "none": no processor, every payment answers PAYMENTS_UNAVAILABLE (production's default: it never uses
# the sandbox); "stripe" needs STRIPE_SECRET_KEY (and in production STRIPE_WEBHOOK_SECRET and
# STRIPE_PUBLISHABLE_KEY: gateway/stripe_settings.py).
PaymentProcessorName = Literal["sandbox", "none", "stripe"]
PAYMENT_PROCESSORS: tuple[PaymentProcessorName, ...] = ("sandbox", "none", "stripe")
# TRUSTED_PROXIES=none says "no proxy in front": production must say so rather than forget the proxy,
# which would make every client behind it one IP (and the per-IP sign-in throttle one global lock).
NO_PROXY_HINT = "TRUSTED_PROXIES=none if no proxy or load balancer is in front"
# The portal's build (Vite's output) in the checkout: <repo>/web/dist; PORTAL_DIR points elsewhere.
PORTAL_DIR = Path(__file__).resolve().parent.parent / "web" / "dist"


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    data_dir: Path = Path("./var")
    # URLs may carry passwords: kept out of repr, so they never reach a log line.
    database_url: str = field(default="", repr=False)
    redis_url: str | None = field(default=None, repr=False)
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "no-reply@localhost"
    sms_url: str | None = None
    public_url: str = "http://localhost:8000"
    secret_key: str = field(default="", repr=False)
    lockout_threshold: int = 5
    lockout_seconds: int = 900
    step_up_seconds: int = 600
    session_idle_seconds: int = 1800
    session_max_seconds: int = 43200
    activation_seconds: int = 72 * 3600
    code_seconds: int = 600
    code_max_attempts: int = 5
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    trusted_proxies: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    request_timeout_seconds: int = 30
    # How long to wait for Redis to accept a connection and to answer a command: a hung Redis (stopped,
    # partitioned) then costs a request at most this much, not forever.
    redis_connect_timeout_seconds: float = 1.0
    redis_socket_timeout_seconds: float = 1.0
    # PostgreSQL: the longest any one SQL statement, or the wait for a free pooled connection, may take.
    database_timeout_seconds: float = 10.0
    # /readyz gives each check this long; a check that has not answered by then counts as unavailable.
    readiness_timeout_seconds: float = 1.0
    worker_poll_delay: float = 0.05
    worker_max_jobs: int = 50
    api_key_rate_per_minute: int = 600
    # METRICS_TOKEN: /metrics answers only `Authorization: Bearer <token>`; unset, it is open in development
    # and test and off (404) in production.
    metrics_token: str | None = field(default=None, repr=False)
    # Test-only (SANDBOX_FAULT): makes the sandbox processor time out or "crash" after taking the money, so
    # tests can prove recovery in another process. Refused in production, as is SANDBOX_LATENCY_MS: how
    # late the sandbox answers, as a real processor answers a few hundred milliseconds after the request.
    sandbox_fault: SandboxFault = "none"
    sandbox_latency_ms: int = 0
    # Charges one autopay run keeps in flight (AUTOPAY_CONCURRENCY); see models/billing/autopay.py.
    autopay_concurrency: int = 64
    # When each day's autopay starts (AUTOPAY_TIME, UTC); the workers keep at it until the day is done.
    autopay_time: time = time(7, 0)
    payment_processor: PaymentProcessorName = "sandbox"
    stripe_secret_key: str | None = field(default=None, repr=False)
    stripe_webhook_secret: str | None = field(default=None, repr=False)
    # Stripe.js's key (public: it goes to the portal) and where the portal loads Stripe.js from.
    stripe_publishable_key: str | None = None
    stripe_api_base: str = STRIPE_API_BASE
    stripe_js_url: str = STRIPE_JS_URL
    portal_dir: Path = PORTAL_DIR

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def https(self) -> bool:
        """Served over https (always in production): cookies are Secure and HSTS is sent."""
        return self.is_production or self.public_url.startswith("https://")

    @property
    def payments_off_reason(self) -> str | None:
        """Why payments answer PAYMENTS_UNAVAILABLE, for the startup log; None when a processor is set."""
        if self.payment_processor != "none":
            return None
        return (
            "payments are unavailable (PAYMENTS_UNAVAILABLE): no payment processor is configured"
            " (PAYMENT_PROCESSOR=none; production never uses the sandbox)"
        )

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def sms_file(self) -> Path:
        return self.data_dir / "sms.jsonl"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        environment = env.get("ENVIRONMENT", "development").strip() or "development"
        if environment not in ("development", "production", "test"):
            raise SettingsError(f"ENVIRONMENT must be development, production or test, not {environment!r}")
        if environment == "production":
            missing = [name for name in PRODUCTION_REQUIRED if not env.get(name, "").strip()]
            if missing:
                hint = f" ({NO_PROXY_HINT})" if "TRUSTED_PROXIES" in missing else ""
                raise SettingsError(f"ENVIRONMENT=production needs {', '.join(missing)} set{hint}")
        data_dir = Path(env.get("DATA_DIR") or "./var")
        secret_key = env.get("SECRET_KEY") or ""
        if environment == "production" and len(secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters in production")
        if not secret_key:
            secret_key = _development_secret(data_dir)
        return cls(
            environment=environment,
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite://{data_dir / 'gateway.sqlite3'}",
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=transport_url(env, "SMTP_URL", ("smtp://", "smtps://")),
            mail_from=env.get("MAIL_FROM") or "no-reply@localhost",
            sms_url=transport_url(env, "SMS_URL", ("https://", "http://")),
            public_url=_public_url(env, environment),
            secret_key=secret_key,
            lockout_threshold=positive_int(env, "LOCKOUT_THRESHOLD", 5),
            lockout_seconds=positive_int(env, "LOCKOUT_SECONDS", 900),
            step_up_seconds=positive_int(env, "STEP_UP_SECONDS", 600),
            session_idle_seconds=positive_int(env, "SESSION_IDLE_SECONDS", 1800),
            session_max_seconds=positive_int(env, "SESSION_MAX_SECONDS", 43200),
            trusted_proxies=networks(env, "TRUSTED_PROXIES"),
            cors_origins=origins(env, "CORS_ORIGINS"),
            request_timeout_seconds=positive_int(env, "REQUEST_TIMEOUT_SECONDS", 30),
            redis_connect_timeout_seconds=positive_float(env, "REDIS_CONNECT_TIMEOUT_SECONDS", 1.0),
            redis_socket_timeout_seconds=positive_float(env, "REDIS_SOCKET_TIMEOUT_SECONDS", 1.0),
            database_timeout_seconds=positive_float(env, "DATABASE_TIMEOUT_SECONDS", 10.0),
            readiness_timeout_seconds=positive_float(env, "READINESS_TIMEOUT_SECONDS", 1.0),
            sandbox_fault=_sandbox_fault(env, environment),
            sandbox_latency_ms=_sandbox_latency_ms(env, environment),
            autopay_concurrency=positive_int(env, "AUTOPAY_CONCURRENCY", 64),
            autopay_time=time_of_day(env, "AUTOPAY_TIME", time(7, 0)),
            payment_processor=_payment_processor(env, environment),
            **stripe_settings(env, environment),
            api_key_rate_per_minute=positive_int(env, "API_KEY_RATE_PER_MINUTE", 600),
            metrics_token=_metrics_token(env, environment),
            portal_dir=Path(env.get("PORTAL_DIR", "").strip() or PORTAL_DIR),
        )


def _sandbox_fault(env: Mapping[str, str], environment: str) -> SandboxFault:
    fault = env.get("SANDBOX_FAULT", "").strip() or "none"
    if fault not in SANDBOX_FAULTS:
        raise SettingsError(f"SANDBOX_FAULT must be one of {', '.join(SANDBOX_FAULTS)}, not {fault!r}")
    if fault != "none" and environment == "production":
        raise SettingsError("SANDBOX_FAULT is a test switch; it cannot be set in production")
    return fault


def _sandbox_latency_ms(env: Mapping[str, str], environment: str) -> int:
    if environment == "production" and env.get("SANDBOX_LATENCY_MS", "").strip():
        raise SettingsError("SANDBOX_LATENCY_MS is a sandbox setting; it cannot be set in production")
    raw = env.get("SANDBOX_LATENCY_MS", "").strip() or "0"
    if not (raw.isascii() and raw.isdigit()):
        raise SettingsError(f"SANDBOX_LATENCY_MS must be a whole number of milliseconds, not {raw!r}")
    return int(raw)


def _payment_processor(env: Mapping[str, str], environment: str) -> PaymentProcessorName:
    """The sandbox in development and tests; in production never: unset there means none."""
    default: PaymentProcessorName = "none" if environment == "production" else "sandbox"
    name = env.get("PAYMENT_PROCESSOR", "").strip() or default
    if name not in PAYMENT_PROCESSORS:
        raise SettingsError(f"PAYMENT_PROCESSOR must be one of {', '.join(PAYMENT_PROCESSORS)}, not {name!r}")
    if name == "sandbox" and environment == "production":
        raise SettingsError(
            "PAYMENT_PROCESSOR=sandbox takes no real money and cannot be used in production"
            " (unset, payments answer PAYMENTS_UNAVAILABLE)"
        )
    return name


def _public_url(env: Mapping[str, str], environment: str) -> str:
    url = (env.get("PUBLIC_URL", "").strip() or "http://localhost:8000").rstrip("/")
    if environment == "production" and not url.startswith("https://"):
        raise SettingsError(f"PUBLIC_URL must be an https:// URL in production, not {url!r}")
    return url


def _metrics_token(env: Mapping[str, str], environment: str) -> str | None:
    token = env.get("METRICS_TOKEN", "").strip() or None
    if token is not None and environment == "production" and len(token) < 32:
        raise SettingsError("METRICS_TOKEN must be at least 32 characters in production")
    return token


def _development_secret(data_dir: Path) -> str:
    """Generated once and kept in DATA_DIR/secret_key, so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
