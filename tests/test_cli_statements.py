"""issue-statement for history and one-off charges, run as the operator runs it: --due sets the period (the
account's billing period holding the day before it, as the daily run counts them), so past months can be
back-filled; --amount issues a one-off charge beside the period's statement, once per --key."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from schema.ids import parse_global_id
from tests.test_cli import run_gateway
from tests.test_cli_billing import create_account, query

FIRST_OF_MONTH = date.today().replace(day=1)


def due_dates(months: int) -> list[str]:
    """The 15th of each of the last `months` months, oldest first."""
    dues, month = [], FIRST_OF_MONTH
    for _ in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
        dues.append(month.replace(day=15).isoformat())
    return dues[::-1]


def period_of(due: str) -> tuple[str, str]:
    """The billing period a statement due on the 15th covers, on create-account's billing day (the 1st)."""
    start = date.fromisoformat(due).replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start.isoformat(), end.isoformat()


def statement_id(printed: str) -> int:
    kind, pk = parse_global_id(json.loads(printed)["statementId"])
    assert kind == "Statement"
    return pk


def test_due_alone_back_fills_the_services_statements_of_past_months(tmp_path: Path) -> None:
    # given an account with a service
    number = create_account(tmp_path, "--plan", "Gig", "--price", "7999")["accountNumber"]
    dues = due_dates(3)
    # when the operator issues a statement for each past due date, and the last one again
    runs = [run_gateway(tmp_path, "issue-statement", "--account", number, "--due", due) for due in dues]
    again = run_gateway(tmp_path, "issue-statement", "--account", number, "--due", dues[-1])
    # then one statement a month, each for the billing period its due date falls in
    assert [run.returncode for run in runs] == [0, 0, 0], [run.stderr for run in runs]
    assert [json.loads(run.stdout)["dueDate"] for run in runs] == dues
    assert again.returncode == 0, again.stderr
    assert again.stdout == runs[-1].stdout
    assert query(
        tmp_path, "SELECT period_start, period_end, due_date, amount_due FROM statement ORDER BY id"
    ) == [(*period_of(due), due, 7999) for due in dues]
    assert query(tmp_path, "SELECT DISTINCT description FROM line_item") == [("Internet - Gig",)]


def test_amounts_back_fill_past_months_and_a_retry_issues_nothing_more(tmp_path: Path) -> None:
    # given an account without services
    number = create_account(tmp_path)["accountNumber"]
    dues = due_dates(3)

    def issue(due: str) -> str:
        args = ("--account", number, "--due", due, "--amount", "7999", "--description", "Internet - Gig")
        done = run_gateway(tmp_path, "issue-statement", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    # when
    printed = [issue(due) for due in dues]
    retried = issue(dues[0])
    # then
    assert [statement_id(line) for line in printed] == [1, 2, 3]
    assert retried == printed[0]
    assert query(
        tmp_path, "SELECT period_start, due_date, amount_due, status FROM statement ORDER BY id"
    ) == [(period_of(due)[0], due, 7999, "OPEN") for due in dues]


def test_a_one_off_charge_goes_beside_the_months_statement_once_per_key(tmp_path: Path) -> None:
    # given an account whose statement of this period is issued
    number = create_account(tmp_path, "--plan", "Gig", "--price", "7999")["accountNumber"]
    regular = run_gateway(tmp_path, "issue-statement", "--account", number)
    assert regular.returncode == 0, regular.stderr
    installation = (
        "issue-statement",
        "--account",
        number,
        "--amount",
        "5000",
        "--description",
        "Installation",
    )
    # when the operator charges an installation (twice, as a retry would), then a fee with a key, twice
    charged = [run_gateway(tmp_path, *installation) for _ in range(2)]
    fee = ("issue-statement", "--account", number, "--amount", "1500", "--description", "Late fee")
    keyed = [run_gateway(tmp_path, *fee, "--key", "fee-2031-01") for _ in range(2)]
    reused = run_gateway(tmp_path, *fee[:4], "2500", *fee[5:], "--key", "fee-2031-01")
    # then
    assert [run.returncode for run in charged + keyed] == [0] * 4, [run.stderr for run in charged + keyed]
    assert [statement_id(run.stdout) for run in charged + keyed] == [2, 2, 3, 3]
    assert [json.loads(run.stdout)["amountDue"] for run in (regular, charged[0], keyed[0])] == [
        7999,
        5000,
        1500,
    ]
    assert reused.returncode == 2
    assert reused.stdout == ""
    assert reused.stderr == (
        "gateway issue-statement: --key 'fee-2031-01' already issued a statement of 1500 cents ('Late fee',"
        f" due {json.loads(keyed[0].stdout)['dueDate']}); give another key for another charge\n"
    )
    assert query(
        tmp_path,
        "SELECT s.amount_due, l.description FROM statement s JOIN line_item l"
        " ON l.statement_id = s.id ORDER BY s.id",
    ) == [
        (7999, "Internet - Gig"),
        (5000, "Installation"),
        (1500, "Late fee"),
    ]
