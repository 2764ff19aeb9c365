"""The operator's free text (account and display names, plans, line items) follows the API's rule: no line
breaks, tabs or other control characters; the refusal is one line naming the option, exit status 2."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.test_cli import run_gateway

NEW_ACCOUNT = ["create-account", "--email", "jane@example.com"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--name", "The Smiths\r\nBcc: evil@example.com"], "--name"),
        (["--name", "The\u2028Smiths"], "--name"),
        (["--name", "The Smiths", "--display-name", "Jane\tDoe"], "--display-name"),
        (["--name", "The Smiths", "--plan", "Gig\nX", "--price", "7999"], "--plan"),
    ],
)
def test_create_account_refuses_control_characters(tmp_path: Path, args: list[str], option: str) -> None:
    # when
    done = run_gateway(tmp_path, *NEW_ACCOUNT, *args)
    # then
    assert done.returncode == 2
    assert done.stderr == (
        f"gateway create-account: {option} must not hold line breaks, tabs or other control characters\n"
    )
    assert not (tmp_path / "cli.sqlite3").exists()


def test_issue_statement_refuses_a_line_item_with_control_characters(tmp_path: Path) -> None:
    # given
    created = run_gateway(tmp_path, *NEW_ACCOUNT, "--name", "The Smiths")
    assert created.returncode == 0, created.stderr
    number = json.loads(created.stdout)["accountNumber"]
    # when
    done = run_gateway(
        tmp_path, "issue-statement", "--account", number, "--amount", "100", "--description", "Fee\r\nX"
    )
    # then
    assert done.returncode == 2
    assert done.stderr == (
        "gateway issue-statement: --description must not hold line breaks, tabs or other control characters\n"
    )
    with closing(sqlite3.connect(tmp_path / "cli.sqlite3")) as connection:
        assert connection.execute("SELECT count(*) FROM statement").fetchall() == [(0,)]
