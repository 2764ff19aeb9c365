"""The served schema keeps the public contract in ../shared/contract.graphql (the shared checker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schema import schema

SHARED = Path(__file__).parents[2] / "shared"
CONTRACT = SHARED / "contract.graphql"
CHECKER = SHARED / "tools" / "contract_check.py"


@pytest.mark.skipif(
    not CHECKER.exists(), reason="../shared (the contract and its checker) is not beside the checkout"
)
def test_the_schema_keeps_the_contract(tmp_path: Path) -> None:
    # given the SDL the code serves
    exported = tmp_path / "schema.graphql"
    exported.write_text(schema.as_str() + "\n")
    # when the shared checker compares it with the contract
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(CONTRACT), str(exported)],
        capture_output=True,
        text=True,
        check=False,
    )
    # then it finds no difference
    assert result.stdout == "", result.stdout
    assert result.returncode == 0
    assert "0 difference(s)" in result.stderr
