"""The billing commands, run as the operator runs them: create-account with a service, issue-statement,
run-autopay (a subprocess with its own SQLite file and no Redis)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from schema.ids import parse_global_id
from tests.test_cli import run_gateway

TODAY = date.today()
ALLOWANCE_RANGE = "--allowance must be a whole number of bytes from 1 to 1000000000000000"


def create_account(data_dir: Path, *extra: str) -> dict[str, Any]:
    done = run_gateway(
        data_dir, "create-account", "--name", "The Smiths", "--email", "jane@example.com", *extra
    )
    assert done.returncode == 0, done.stderr
    printed: dict[str, Any] = json.loads(done.stdout)
    return printed


def query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(data_dir / "cli.sqlite3")) as connection:
        return [tuple(row) for row in connection.execute(sql)]


def enrol_in_autopay(data_dir: Path) -> None:
    """Account 1 pays by tok_visa on autopay (written directly: the API, not the CLI, enrols)."""
    with closing(sqlite3.connect(data_dir / "cli.sqlite3")) as connection, connection:
        connection.execute(
            "INSERT INTO payment_method"
            " (account_id, kind, brand, last4, processor_token, is_default, created_at)"
            " VALUES (1, 'CARD', 'visa', '4242', 'tok_visa', 1, '2030-01-01 00:00:00+00:00')"
        )
        connection.execute(
            "INSERT INTO autopay_enrollment"
            " (account_id, payment_method_id, days_before_due, enabled, created_at)"
            " VALUES (1, 1, 0, 1, '2030-01-01 00:00:00+00:00')"
        )


def test_issue_statement_bills_the_service_created_with_the_account(tmp_path: Path) -> None:
    # given
    number = create_account(tmp_path, "--plan", "Gig", "--price", "7999")["accountNumber"]
    # when
    done = run_gateway(tmp_path, "issue-statement", "--account", number)
    # then
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert list(printed) == ["statementId", "amountDue", "dueDate"]
    assert parse_global_id(printed["statementId"]) == ("Statement", 1)
    assert printed["amountDue"] == 7999
    assert date.fromisoformat(printed["dueDate"]) >= TODAY + timedelta(days=20)
    assert query(tmp_path, "SELECT kind, plan, monthly_price FROM service") == [("INTERNET", "Gig", 7999)]
    assert query(tmp_path, "SELECT description, amount FROM line_item") == [("Internet - Gig", 7999)]
    # (the primary is still invited: statement notices go to active members only)
    assert query(tmp_path, "SELECT kind FROM outbox_message ORDER BY id") == [("ACTIVATION",)]


def test_a_service_with_an_allowance_is_metered_and_its_id_printed(tmp_path: Path) -> None:
    # when
    printed = create_account(tmp_path, "--plan", "Gig", "--price", "7999", "--allowance", str(10**12))
    # then: the id record-usage takes, and the allowance stored
    assert parse_global_id(printed["serviceId"]) == ("Service", 1)
    assert query(tmp_path, "SELECT plan, allowance_bytes FROM service") == [("Gig", 10**12)]


def test_issue_statement_with_an_amount_and_a_due_date(tmp_path: Path) -> None:
    # given
    number = create_account(tmp_path)["accountNumber"]
    due = (TODAY + timedelta(days=5)).isoformat()
    # when
    args = ("issue-statement", "--account", number, "--due", due, "--amount", "7999", "--description", "Gig")
    done = run_gateway(tmp_path, *args)
    again = run_gateway(tmp_path, *args)
    # then the same statement both times
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["amountDue"] == 7999
    assert json.loads(done.stdout)["dueDate"] == due
    assert again.stdout == done.stdout
    assert query(tmp_path, "SELECT amount_due, amount_paid, status FROM statement") == [(7999, 0, "OPEN")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "0000000000"], "--account '0000000000': no account has this number"),
        (["--account", "{number}", "--due", "tomorrow"], "--due 'tomorrow' is not a date such as 2026-01-31"),
        (["--account", "{number}", "--amount", "12.50"], "--amount '12.50' is not a whole number of cents"),
        (["--account", "{number}", "--amount", "0"], "--amount must be 1 to 10000000 cents, not 0"),
        (["--account", "{number}", "--description", "Gig"], "--description goes with --amount"),
        (
            ["--account", "{number}", "--amount", "5000"],
            "--amount goes with --description, the line item's text",
        ),
        (
            ["--account", "{number}", "--amount", "-5", "--description", "Refund"],
            "--amount must be 1 to 10000000 cents, not -5",
        ),
        (
            ["--account", "{number}", "--key", "k1"],
            "--key goes with --amount (a period's regular statement is issued once anyway)",
        ),
        (
            ["--account", "{number}", "--amount", "5000", "--description", "Fee", "--key", "x" * 81],
            "--key must be 1 to 80 characters, without control characters",
        ),
        (
            ["--account", "{number}", "--due", "1970-01-01"],
            "--due '1970-01-01' must be within ten years of today",
        ),
        (["--account", "{number}"], "Account {number} has no services to bill."),
        (
            ["--due", "2030-01-01"],
            "the following arguments are required: --account (see gateway issue-statement --help)",
        ),
    ],
)
def test_issue_statement_bad_input_is_one_line_and_exit_status_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    # given an account without services
    number = create_account(tmp_path)["accountNumber"]
    # when
    done = run_gateway(tmp_path, "issue-statement", *[arg.format(number=number) for arg in args])
    # then
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"gateway issue-statement: {message.format(number=number)}\n"
    assert query(tmp_path, "SELECT count(*) FROM statement") == [(0,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "Gig"], "--plan and --price go together"),
        (["--price", "7999"], "--plan and --price go together"),
        (["--plan", " ", "--price", "7999"], "--plan must be 1 to 100 characters"),
        (["--plan", "Gig", "--price", "cheap"], "--price 'cheap' is not a whole number of cents"),
        (["--plan", "Gig", "--price", "-5"], "--price must be 1 to 10000000 cents, not -5"),
        (["--allowance", "1000"], "--allowance goes with --plan and --price"),
        (["--plan", "G", "--price", "1", "--allowance", "lots"], ALLOWANCE_RANGE),
        (["--plan", "G", "--price", "1", "--allowance", "0"], ALLOWANCE_RANGE),
        (["--plan", "G", "--price", "1", "--allowance", "²"], ALLOWANCE_RANGE),
        (["--plan", "G", "--price", "1", "--allowance", str(10**15 + 1)], ALLOWANCE_RANGE),
    ],
)
def test_create_account_bad_plan_or_price_is_one_line_and_exit_status_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = run_gateway(tmp_path, "create-account", "--name", "N", "--email", "a@example.com", *args)
    assert done.returncode == 2
    assert done.stderr == f"gateway create-account: {message}\n"
    assert not (tmp_path / "cli.sqlite3").exists()


def test_run_autopay_charges_an_enrolled_account_once_on_its_date(tmp_path: Path) -> None:
    # given an account enrolled in autopay with a statement due on the 10th
    number = create_account(tmp_path)["accountNumber"]
    issued = run_gateway(
        tmp_path,
        "issue-statement",
        *("--account", number, "--due", "2030-03-10", "--amount", "7999", "--description", "Gig"),
    )
    assert issued.returncode == 0, issued.stderr
    enrol_in_autopay(tmp_path)
    # when
    runs = [run_gateway(tmp_path, "run-autopay", "--date", "2030-03-10") for _ in range(2)]
    # then
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    assert [json.loads(run.stdout) for run in runs] == [
        {"date": "2030-03-10", **counts}
        for counts in (
            {
                "charged": 1,
                "failed": 0,
                "pending": 0,
                "skippedCeiling": 0,
                "reminded": 0,
                "gaveUp": 0,
                "alreadyDone": 0,
                "heldElsewhere": 0,
                "released": 0,
            },
            {
                "charged": 0,
                "failed": 0,
                "pending": 0,
                "skippedCeiling": 0,
                "reminded": 0,
                "gaveUp": 0,
                "alreadyDone": 1,
                "heldElsewhere": 0,
                "released": 0,
            },
        )
    ]
    assert query(tmp_path, "SELECT status, source, amount FROM payment") == [("SUCCEEDED", "AUTOPAY", 7999)]
    assert query(tmp_path, "SELECT count(*) FROM sandbox_charge") == [(1,)]
    assert query(tmp_path, "SELECT status FROM statement") == [("PAID",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2030-02-30"], "--date '2030-02-30' is not a date such as 2026-01-31"),
        (["--date"], "argument --date: expected one argument (see gateway run-autopay --help)"),
    ],
)
def test_run_autopay_bad_date_is_one_line_and_exit_status_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = run_gateway(tmp_path, "run-autopay", *args)
    assert done.returncode == 2
    assert done.stderr == f"gateway run-autopay: {message}\n"


def test_a_sandbox_fault_is_refused_outside_the_known_switches(tmp_path: Path) -> None:
    done = run_gateway(tmp_path, "run-autopay", SANDBOX_FAULT="explode")
    assert done.returncode == 2
    assert done.stderr == (
        "gateway run-autopay: SANDBOX_FAULT must be one of none, timeout, crash_after_charge, not 'explode'\n"
    )
