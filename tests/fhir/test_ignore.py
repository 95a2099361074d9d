"""_ignore: records voided by their status are dropped before they are read (decision-rules §0)."""

from __future__ import annotations

from typing import Any

import pytest

from painpath.fhir import read_bundle
from painpath.fhir._ignore import IGNORED, is_ignored

VOID = [(rtype, status) for rtype, (_, codes) in IGNORED.items() for status in sorted(codes)]


def _with_status(rtype: str, status: str) -> dict[str, Any]:
    element = IGNORED[rtype][0]
    value: Any = {"coding": [{"code": status}]} if element == "verificationStatus" else status
    owner = {"AllergyIntolerance": "patient"}.get(rtype, "subject")
    # invalid on purpose: if the record were read, each of these would be refused
    return {
        "resourceType": rtype,
        "id": "void-1",
        element: value,
        owner: {"reference": "Patient/someone-else"},
        "onsetDateTime": "not a date",
        "performedDateTime": "not a date",
        "effectiveDateTime": "not a date",
        "authoredOn": "not a date",
        "authored": "not a date",
        "issued": "not a date",
        "started": "not a date",
    }


@pytest.mark.parametrize(("rtype", "status"), VOID, ids=[f"{t}-{s}" for t, s in VOID])
def test_a_void_record_is_neither_read_nor_validated(rtype: str, status: str) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "pt-1"}},
            {"resource": _with_status(rtype, status)},
        ],
    }
    record = read_bundle(bundle)
    assert record.patient_id == "pt-1"
    for field in (
        "conditions",
        "medications",
        "procedures",
        "observations",
        "imaging",
        "questionnaires",
        "allergies",
    ):
        assert getattr(record, field) == ()


def test_the_table_covers_the_statuses_of_decision_rules() -> None:
    assert IGNORED["MedicationRequest"][1] == {"entered-in-error", "cancelled", "draft"}
    assert IGNORED["Condition"] == (
        "verificationStatus",
        frozenset({"refuted", "entered-in-error"}),
    )
    assert set(IGNORED) == {
        "Condition",
        "AllergyIntolerance",
        "Procedure",
        "Observation",
        "DiagnosticReport",
        "ImagingStudy",
        "MedicationStatement",
        "MedicationRequest",
        "QuestionnaireResponse",
    }


@pytest.mark.parametrize(
    ("resource", "rtype", "ignored"),
    [
        ({"status": "final"}, "Observation", False),
        ({"status": "stopped"}, "MedicationRequest", False),
        ({"status": "stopped"}, "QuestionnaireResponse", True),
        ({"verificationStatus": {"coding": [{"code": "confirmed"}]}}, "Condition", False),
        ({"verificationStatus": "refuted"}, "Condition", False),  # malformed: not void
        ({"status": ["entered-in-error"]}, "Observation", False),
        ({"status": "entered-in-error"}, "Coverage", False),
    ],
)
def test_only_the_listed_statuses_void_a_record(
    resource: dict[str, Any], rtype: str, ignored: bool
) -> None:
    assert is_ignored(resource, rtype) is ignored
