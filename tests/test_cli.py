"""The `gateway` command, run as the operator runs it: a subprocess with its own SQLite file and no Redis."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from models.onboarding import DEMO_PASSWORD, DEMO_USERNAME, seed_demo
from models.security.passwords import Passwords
from schema.ids import parse_global_id
from tests.support import gql, sign_in, token_in

GATEWAY = Path(sys.executable).with_name("gateway")
PUBLIC_URL = "http://portal.example"
ME = "{ me { username role permissions } account { number members { totalCount } } }"


def run_gateway(data_dir: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite://{data_dir / 'cli.sqlite3'}",
        "PUBLIC_URL": PUBLIC_URL,
        **extra_env,
    }
    return subprocess.run(
        [str(GATEWAY), *args], env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def outbox_rows(data_dir: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(data_dir / "cli.sqlite3") as connection:
        rows = connection.execute("SELECT recipient, kind, subject, body FROM outbox_message ORDER BY id")
        return [tuple(row) for row in rows]


def test_create_account_prints_global_ids_and_queues_the_welcome_email(tmp_path: Path) -> None:
    # given a fresh DATA_DIR, no REDIS_URL
    # when
    done = run_gateway(
        tmp_path,
        "create-account",
        "--name",
        "The Smiths",
        "--email",
        "Jane@Example.COM",
        "--phone",
        "(202) 555-0143",
        "--time-zone",
        "America/Chicago",
    )
    # then one JSON object with the API's global IDs
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert list(printed) == ["accountId", "accountNumber", "primaryMemberId"]
    assert parse_global_id(printed["accountId"]) == ("Account", 1)
    assert parse_global_id(printed["primaryMemberId"]) == ("Member", 1)
    assert len(printed["accountNumber"]) == 10
    # and the welcome e-mail waits in the outbox with its activation link
    [(recipient, kind, subject, body)] = outbox_rows(tmp_path)
    assert (recipient, kind, subject) == ("Jane@example.com", "ACTIVATION", "Activate your account")
    assert f"{PUBLIC_URL}/activate?token=" in body
    assert len(token_in(body)) >= 43
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        member = connection.execute(
            "SELECT role, status, phone, phone_confirmed, display_name FROM member"
        ).fetchone()
        account = connection.execute("SELECT name, time_zone, contact_email FROM account").fetchone()
        events = connection.execute("SELECT kind FROM activity_event").fetchall()
    assert member == ("PRIMARY", "INVITED", "+12025550143", 1, "Jane")
    assert account == ("The Smiths", "America/Chicago", "Jane@example.com")
    assert events == [("ACCOUNT_CREATED",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--name", "The Smiths", "--email", "not-an-address"],
            "--email 'not-an-address' is not an e-mail address",
        ),
        (["--name", "  ", "--email", "a@example.com"], "--name must be 1 to 200 characters"),
        (["--name", "N" * 201, "--email", "a@example.com"], "--name must be 1 to 200 characters"),
        (
            ["--name", "N", "--email", "a@example.com", "--phone", "12"],
            "--phone '12' is not a valid phone number",
        ),
        (
            ["--name", "N", "--email", "a@example.com", "--time-zone", "Mars/Olympus"],
            "--time-zone 'Mars/Olympus' is not an IANA time zone such as America/New_York",
        ),
        (
            ["--name", "N"],
            "the following arguments are required: --email (see gateway create-account --help)",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = run_gateway(tmp_path, "create-account", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"gateway create-account: {message}\n"
    assert not (tmp_path / "cli.sqlite3").exists()


def test_production_without_its_settings_is_refused_in_one_line(tmp_path: Path) -> None:
    done = run_gateway(tmp_path, "migrate", ENVIRONMENT="production", DATABASE_URL="")
    assert done.returncode == 2
    assert done.stderr == (
        "gateway migrate: ENVIRONMENT=production needs SECRET_KEY, DATABASE_URL, REDIS_URL, SMTP_URL,"
        " SMS_URL, TRUSTED_PROXIES set (TRUSTED_PROXIES=none if no proxy or load balancer is in front)\n"
    )


def test_worker_without_redis_is_refused_in_one_line(tmp_path: Path) -> None:
    done = run_gateway(tmp_path, "worker")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("gateway worker: REDIS_URL is not set")


def test_export_schema_prints_the_committed_sdl(tmp_path: Path) -> None:
    done = run_gateway(tmp_path, "export-schema")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (Path(__file__).parents[1] / "schema.graphql").read_text()


def test_seed_demo_prints_a_login_and_is_idempotent(tmp_path: Path) -> None:
    first = run_gateway(tmp_path, "seed-demo")
    second = run_gateway(tmp_path, "seed-demo")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert json.loads(first.stdout)["username"] == DEMO_USERNAME
    assert json.loads(first.stdout)["password"] == DEMO_PASSWORD


async def test_the_demo_login_signs_in_and_sees_its_household(
    client: httpx.AsyncClient, passwords: Passwords
) -> None:
    # given the seeded demo account
    login = await seed_demo(passwords)
    # when its primary signs in and asks the README's query
    token = await sign_in(client, login.username, login.password)
    body = await gql(client, ME, token=token)
    # then
    assert "errors" not in body
    assert body["data"]["me"]["username"] == "demo"
    assert body["data"]["me"]["role"] == "PRIMARY"
    assert "MANAGE_MEMBERS" in body["data"]["me"]["permissions"]
    assert body["data"]["account"] == {"number": login.account.number, "members": {"totalCount": 3}}
