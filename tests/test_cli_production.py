"""The operator CLI in production: no demo login, and autopay refuses plainly while payments are off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GATEWAY = Path(sys.executable).with_name("gateway")


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Everything production requires, with a SQLite file that must stay untouched."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "ENVIRONMENT": "production",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite://{data_dir / 'prod.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECRET_KEY": "p" * 40,
        "PUBLIC_URL": "https://portal.example.com",
        "SMTP_URL": "smtp://127.0.0.1:1",
        "SMS_URL": "https://sms.example.com/messages",
        "TRUSTED_PROXIES": "none",
        **extra,
    }


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GATEWAY), *args],
        env=production_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_seed_demo_is_refused_in_production(tmp_path: Path) -> None:
    # when an operator seeds the demo in production (it would reset the password of a member named "demo")
    done = run(tmp_path, "seed-demo")
    # then it is refused in one line, before the database is opened
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "gateway seed-demo: the demo account is for development; it cannot be seeded in production\n"
    )
    assert not (tmp_path / "prod.sqlite3").exists()


def test_run_autopay_without_a_processor_says_payments_are_unavailable(tmp_path: Path) -> None:
    done = run(tmp_path, "run-autopay")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "gateway run-autopay: payments are unavailable (PAYMENTS_UNAVAILABLE): no payment processor is"
        " configured (PAYMENT_PROCESSOR=none; production never uses the sandbox)\n"
    )
    assert not (tmp_path / "prod.sqlite3").exists()
