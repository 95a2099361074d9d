"""Suite-wide checks: the shared reference data beside the repository must be present."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["db"]  # tests/db.py: the database fixtures (db_engine, db_session, ...)

SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "shared_data(path): the test reads ../shared data")
    if not (SHARED / "vignettes").is_dir() or not (SHARED / "data").is_dir():
        raise pytest.UsageError(
            f"{SHARED} is missing: the tests read the shared vignettes and data beside the repo"
        )
