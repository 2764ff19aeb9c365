"""Running a migration test's script: in a subprocess with its own database, as tortoise's migrate takes
over the process's connections. The script gets the database's URL (SQLite here) as its argument and
prints its report as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# What each script starts with: the imports, the config of the database it is given, and an account.
PRELUDE = """
import asyncio, json, sys
from tortoise import Tortoise, connections
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api import migrate
from models.db.database import tortoise_config

config = tortoise_config(sys.argv[1])
ACCOUNT = (
    "INSERT INTO account (number, name, time_zone, billing_day, created_at)"
    " VALUES ('1234567890', 'The Smiths', 'UTC', 15, '2025-01-01 00:00:00+00:00')"
)
"""


def report_of(script: str, tmp_path: Path) -> Any:
    """The JSON `PRELUDE + script` printed, run on a new SQLite file under `tmp_path`."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + script, f"sqlite://{tmp_path / 'old.sqlite3'}"],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
