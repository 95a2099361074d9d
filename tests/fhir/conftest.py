"""Shared helpers for the FHIR reader tests: fixtures by scenario name, shared data paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
SHARED = Path("/work/shared")
VIGNETTES = SHARED / "vignettes"
SYNTHEA_BUNDLES = SHARED / "data" / "synthea-smart-generated-sample-data-r4" / "bundles"
SYNTHEA_NDJSON = SHARED / "data" / "synthea-smart-bulk-10-patients" / "ndjson"
MME_TESTS = SHARED / "data" / "cqframework-opioid-mme-r4" / "tests" / "MMECalculatorTests"


def fixture_path(name: str) -> Path:
    """The path of `tests/fixtures/fhir/<name>.json`."""
    return FIXTURES / f"{name}.json"


@pytest.fixture
def load_fixture() -> Callable[[str], Any]:
    """Load a scenario fixture by name (without `.json`) as parsed JSON (a fresh copy)."""

    def load(name: str) -> Any:
        return orjson.loads(fixture_path(name).read_bytes())

    return load


def requires(path: Path) -> pytest.MarkDecorator:
    """Mark a test that reads shared reference data; a missing file fails it (never a skip)."""
    return pytest.mark.shared_data(str(path))
