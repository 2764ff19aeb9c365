"""The committed schema.graphql is what the code serves; regenerate it with `make schema`."""

from __future__ import annotations

from pathlib import Path

from schema import schema

COMMITTED = Path(__file__).parents[1] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    # given the SDL the code builds
    exported = schema.as_str() + "\n"
    # when compared with the committed file
    committed = COMMITTED.read_text() if COMMITTED.exists() else ""
    # then they are the same
    assert committed == exported, "schema.graphql differs from the code: run `make schema` and commit it"
