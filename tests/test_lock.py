"""requirements.lock, which make install and .ci/run install from, pins every dependency of pyproject.toml
(and of its dev extra) at a version its range admits: a range changed without `make lock` fails here."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def test_every_dependency_is_locked_at_a_version_its_range_admits() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["dev"]]
    pins = locked()
    outside = {
        str(requirement): pins.get(canonicalize_name(requirement.name))
        for requirement in wanted
        if pins.get(canonicalize_name(requirement.name)) not in requirement.specifier
    }
    assert outside == {}, "run `make lock`"
