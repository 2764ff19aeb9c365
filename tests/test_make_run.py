"""`make run PORT=…`: the portal on another port, with its e-mails' links on that port too unless
PUBLIC_URL says where the portal is reached."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def serve_line(*make_args: str) -> str:
    """The command `make run` ends with, as make would run it (a dry run: nothing is started)."""
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *make_args],
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key not in ("PORT", "PUBLIC_URL")},
        capture_output=True,
        text=True,
        check=True,
    )
    return dry.stdout.strip().splitlines()[-1]


def public_url_seen(line: str, **env: str) -> str:
    """PUBLIC_URL as `gateway serve` would see it when the shell runs `line` with `env`."""
    assignment, _command = line.split(" ", 1)
    environment = {key: value for key, value in os.environ.items() if key != "PUBLIC_URL"} | env
    shown = subprocess.run(
        ["sh", "-c", f"{assignment} printenv PUBLIC_URL"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout.strip()


def test_make_run_serves_on_port_8000_by_default() -> None:
    line = serve_line()
    assert line.endswith("gateway serve --port 8000")
    assert public_url_seen(line) == "http://localhost:8000"


def test_make_run_serves_on_the_port_it_is_given_and_its_links_follow() -> None:
    line = serve_line("PORT=8123")
    assert line.endswith("gateway serve --port 8123")
    assert public_url_seen(line) == "http://localhost:8123"
    # (an operator's own PUBLIC_URL, a proxy's say, is kept)
    assert public_url_seen(line, PUBLIC_URL="https://portal.example") == "https://portal.example"
