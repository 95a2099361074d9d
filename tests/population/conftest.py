"""Fixtures for the population tests: test exports and one Spark session per pytest worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._exports import (
    SYNTHEA_BUNDLES,
    VIGNETTES,
    bundles_to_ndjson,
)


def _has_patient(bundle: dict[str, Any]) -> bool:
    return any(e.get("resource", {}).get("resourceType") == "Patient" for e in bundle["entry"])


@pytest.fixture(scope="session")
def synthea_bundles() -> list[dict[str, Any]]:
    """Every Bundle of the Synthea sample (the hospital and practitioner Bundles included)."""
    return [json.loads(p.read_bytes()) for p in sorted(SYNTHEA_BUNDLES.glob("*.json"))]


@pytest.fixture(scope="session")
def synthea_patients(synthea_bundles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in synthea_bundles if _has_patient(b)]


def _export(factory: pytest.TempPathFactory, name: str, bundles: list[dict[str, Any]]) -> Path:
    folder = factory.mktemp(name)
    bundles_to_ndjson(bundles, folder)
    return folder


@pytest.fixture(scope="session")
def synthea_export(tmp_path_factory: pytest.TempPathFactory, synthea_bundles: Any) -> Path:
    return _export(tmp_path_factory, "synthea-ndjson", synthea_bundles)


@pytest.fixture(scope="session")
def vignette_bundles() -> list[dict[str, Any]]:
    return [json.loads(p.read_bytes()) for p in sorted(VIGNETTES.glob("*.bundle.json"))]


@pytest.fixture(scope="session")
def vignette_export(tmp_path_factory: pytest.TempPathFactory, vignette_bundles: Any) -> Path:
    return _export(tmp_path_factory, "vignettes-ndjson", vignette_bundles)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local Spark session (two cores, few shuffle partitions), one per pytest worker."""
    from painpath.population._spark import spark_session

    session = spark_session("local[2]")
    session.conf.set("spark.sql.shuffle.partitions", "4")
    # small test data: compiling whole-stage code costs more than it saves
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    yield session
    session.stop()
