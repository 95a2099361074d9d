"""painpath.fhir's public names: `__all__` is sorted and is exactly what the package exports."""

from __future__ import annotations

import painpath.fhir as fhir


def test_all_is_sorted_and_complete() -> None:
    assert fhir.__all__ == sorted(fhir.__all__)
    public = {name for name in vars(fhir) if not name.startswith("_")}
    assert public == set(fhir.__all__)


def test_public_api_is_the_readers() -> None:
    assert {"read_bundle", "read_bundle_bytes", "read_ndjson_dir"} <= set(fhir.__all__)
