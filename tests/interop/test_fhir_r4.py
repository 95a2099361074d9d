"""The R4 check the export tests rely on does refuse invalid resources."""

from __future__ import annotations

from ._fhir_r4 import r4_problems, references

PLAN = {
    "resourceType": "CarePlan",
    "id": "x",
    "status": "active",
    "intent": "plan",
    "subject": {"reference": "Patient/1"},
}


def test_a_valid_resource_passes() -> None:
    assert r4_problems(PLAN) == []


def test_missing_required_unknown_elements_and_bad_formats_are_caught() -> None:
    assert "subject" in r4_problems({k: v for k, v in PLAN.items() if k != "subject"})[0]
    assert "Superfluous" in r4_problems({**PLAN, "bogus": 1})[0]
    assert "format" in r4_problems({**PLAN, "period": {"start": "yesterday"}})[0]


def test_references_are_found_at_any_depth() -> None:
    node = {"a": [{"reference": "X/1"}, {"b": {"reference": "Y/2"}}], "reference": 3}
    assert references(node) == ["X/1", "Y/2"]
