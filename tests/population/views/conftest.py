"""Fixtures for the ViewDefinition tests: the official suite and the Synthea bulk sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from painpath.population.views import load_suite
from painpath.population.views._conformance import write_bulk

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
SUITE_DIR = SHARED / "sql-on-fhir-v2-tests"
SYNTHEA_BULK = SHARED / "synthea-smart-bulk-10-patients" / "ndjson"

SUITE = load_suite(SUITE_DIR)
CASES = [(name, i, t) for name, data in SUITE for i, t in enumerate(data["tests"])]


@pytest.fixture(scope="session")
def suite_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each suite file's resources written once as a small Bulk export."""
    out = {}
    for name, data in SUITE:
        folder = tmp_path_factory.mktemp(name.removesuffix(".json"))
        write_bulk(data.get("resources", []), folder)
        out[name] = folder
    return out


def case_id(case: tuple[str, int, dict[str, Any]]) -> str:
    return f"{case[0].removesuffix('.json')}:{case[2]['title']}"
