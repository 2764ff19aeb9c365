"""Worker tests write mail and SMS under their own tmp_path, on the shared test database and Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import Settings


@pytest.fixture
def worker_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(data_dir=tmp_path)
