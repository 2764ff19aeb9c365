"""`gateway trust-documents`: registers an API key's allow-list, run as a subprocess on its own SQLite."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import run_gateway

ACCOUNT = "query Account { account { number name } }\n"
BILLING = "query Balance { account { balance { amount } } }\n"
PREFIX = "agk_AbCdEfGh"


def given_a_key(data_dir: Path) -> None:
    """An account (made by the CLI) and one live API key of its primary, written as the API writes it."""
    created = run_gateway(data_dir, "create-account", "--name", "The Smiths", "--email", "pat@example.com")
    assert created.returncode == 0, created.stderr
    with sqlite3.connect(data_dir / "cli.sqlite3") as connection:
        connection.execute(
            "INSERT INTO api_key (account_id, created_by_id, name, prefix, key_hash, permissions, created_at)"
            " VALUES (1, 1, 'Budget app', ?, ?, '[\"VIEW_BILLING\"]', '2026-01-01T00:00:00+00:00')",
            (PREFIX, "0" * 64),
        )


def trusted_rows(data_dir: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(data_dir / "cli.sqlite3") as connection:
        rows = connection.execute("SELECT api_key_id, sha256, document FROM trusted_document ORDER BY id")
        return [tuple(row) for row in rows]


def test_registers_each_file_as_one_document_and_prints_json(tmp_path: Path) -> None:
    # given
    given_a_key(tmp_path)
    account = tmp_path / "account.graphql"
    billing = tmp_path / "billing.graphql"
    account.write_text(ACCOUNT)
    billing.write_text(BILLING)
    # when registered twice (the second run changes nothing)
    done = run_gateway(tmp_path, "trust-documents", "--key", PREFIX, str(account), str(billing))
    again = run_gateway(tmp_path, "trust-documents", "--key", PREFIX, str(account))
    # then
    assert done.returncode == again.returncode == 0, done.stderr + again.stderr
    account_sha = hashlib.sha256(ACCOUNT.encode()).hexdigest()
    billing_sha = hashlib.sha256(BILLING.encode()).hexdigest()
    assert json.loads(done.stdout) == {
        "key": PREFIX,
        "documents": [
            {"file": str(account), "sha256": account_sha},
            {"file": str(billing), "sha256": billing_sha},
        ],
    }
    assert json.loads(again.stdout)["documents"] == [{"file": str(account), "sha256": account_sha}]
    assert trusted_rows(tmp_path) == [(1, account_sha, ACCOUNT), (1, billing_sha, BILLING)]


@pytest.mark.parametrize("prefix", ["agk_Nobody12", "agk_TooLongPrefix", ""])
def test_an_unknown_prefix_is_one_line_and_exit_status_2(tmp_path: Path, prefix: str) -> None:
    given_a_key(tmp_path)
    document = tmp_path / "account.graphql"
    document.write_text(ACCOUNT)
    done = run_gateway(tmp_path, "trust-documents", "--key", prefix, str(document))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"gateway trust-documents: --key {prefix!r}: no live API key, or more than one, has this prefix\n"
    )
    assert trusted_rows(tmp_path) == []


def test_a_revoked_key_cannot_be_given_documents(tmp_path: Path) -> None:
    given_a_key(tmp_path)
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        connection.execute("UPDATE api_key SET revoked_at = '2026-01-02T00:00:00+00:00'")
    document = tmp_path / "account.graphql"
    document.write_text(ACCOUNT)
    done = run_gateway(tmp_path, "trust-documents", "--key", PREFIX, str(document))
    assert done.returncode == 2
    assert trusted_rows(tmp_path) == []


def test_invalid_graphql_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    # given one good file, one that does not parse and one that names no field of the schema
    given_a_key(tmp_path)
    good = tmp_path / "account.graphql"
    broken = tmp_path / "broken.graphql"
    unknown = tmp_path / "unknown.graphql"
    good.write_text(ACCOUNT)
    broken.write_text("query { account { number }\n")
    unknown.write_text("{ account { salary } }\n")
    # when
    syntax = run_gateway(tmp_path, "trust-documents", "--key", PREFIX, str(good), str(broken))
    invalid = run_gateway(tmp_path, "trust-documents", "--key", PREFIX, str(unknown))
    missing = run_gateway(tmp_path, "trust-documents", "--key", PREFIX, str(tmp_path / "none.graphql"))
    # then nothing is registered, not even the good file
    assert (syntax.returncode, invalid.returncode, missing.returncode) == (2, 2, 2)
    assert syntax.stderr == (
        f"gateway trust-documents: {broken}: not a valid GraphQL document at line 2:1:"
        " Syntax Error: Expected Name, found <EOF>.\n"
    )
    assert invalid.stderr == (
        f"gateway trust-documents: {unknown}: not a valid GraphQL document at line 1:13:"
        " Cannot query field 'salary' on type 'Account'.\n"
    )
    assert missing.stderr == (
        f"gateway trust-documents: {tmp_path / 'none.graphql'}: cannot be read (No such file or directory)\n"
    )
    assert trusted_rows(tmp_path) == []
