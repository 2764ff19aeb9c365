"""`gateway record-usage`, run as a metering system runs it: a subprocess with its own SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from schema.ids import to_global_id
from tests.test_cli import run_gateway

GIGABYTE = 1_000_000_000


def account_with_metered_service(data_dir: Path) -> tuple[str, str]:
    """(account number, service ID) of a new account with a 100 GB internet service."""
    done = run_gateway(data_dir, "create-account", "--name", "The Smiths", "--email", "jane@example.com")
    assert done.returncode == 0, done.stderr
    number = json.loads(done.stdout)["accountNumber"]
    with sqlite3.connect(data_dir / "cli.sqlite3") as connection:
        account_id = connection.execute("SELECT id FROM account WHERE number = ?", (number,)).fetchone()[0]
        cursor = connection.execute(
            "INSERT INTO service (account_id, kind, plan, monthly_price, allowance_bytes, created_at)"
            " VALUES (?, 'INTERNET', 'Gig', 7999, ?, '2026-01-01 00:00:00+00:00')",
            (account_id, 100 * GIGABYTE),
        )
        service_pk = cursor.lastrowid
        # As if the primary had activated: only active members are told.
        connection.execute("UPDATE member SET status = 'ACTIVE'")
    assert service_pk is not None
    return number, to_global_id("Service", service_pk)


def test_record_usage_adds_up_and_prints_the_total(tmp_path: Path) -> None:
    # given
    number, service_id = account_with_metered_service(tmp_path)
    at = "2026-03-10T12:00:00-05:00"
    # when
    first = run_gateway(
        tmp_path,
        "record-usage",
        "--account",
        number,
        "--service",
        service_id,
        "--bytes",
        str(70 * GIGABYTE),
        "--at",
        at,
    )
    second = run_gateway(
        tmp_path,
        "record-usage",
        "--account",
        number,
        "--service",
        service_id,
        "--bytes",
        str(6 * GIGABYTE),
        "--at",
        at,
    )
    # then
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "serviceId": service_id,
        "periodStart": "2026-03-01",
        "usedBytes": 70 * GIGABYTE,
        "allowanceBytes": 100 * GIGABYTE,
    }
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["usedBytes"] == 76 * GIGABYTE
    # and the 75% alert waits in the outbox, once
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        alerts = connection.execute(
            "SELECT recipient, subject FROM outbox_message WHERE kind = 'USAGE_ALERT'"
        ).fetchall()
    assert alerts == [("jane@example.com", "You have used 75% of your Gig data allowance")]


@pytest.fixture(scope="module")
def metered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    data_dir = tmp_path_factory.mktemp("cli_usage")
    return (data_dir, *account_with_metered_service(data_dir))


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--service", "not-an-id", "is not a Service ID"),
        ("--service", to_global_id("Member", 1), "is not a Service ID"),
        ("--service", to_global_id("Service", 999), "has no service"),
        ("--account", "1234567890", "has no service"),
        ("--bytes", "-5", "--bytes must be"),
        ("--bytes", "lots", "--bytes must be"),
        ("--bytes", "²", "--bytes must be"),
        ("--at", "yesterday", "is not an ISO 8601 time"),
        ("--at", "2026-03-10T12:00:00", "needs a UTC offset"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    metered: tuple[Path, str, str], option: str, value: str, message: str
) -> None:
    # given
    data_dir, number, service_id = metered
    arguments = {
        "--account": number,
        "--service": service_id,
        "--bytes": "10",
        "--at": "2026-03-10T12:00:00Z",
    }
    arguments[option] = value
    # when
    done = run_gateway(data_dir, "record-usage", *(part for pair in arguments.items() for part in pair))
    # then
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert message in done.stderr
    with sqlite3.connect(data_dir / "cli.sqlite3") as connection:
        assert connection.execute("SELECT COUNT(*) FROM data_usage").fetchone() == (0,)
