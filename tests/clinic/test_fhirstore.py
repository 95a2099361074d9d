"""Bundles stored as rows: ids kept or given, fullUrl references rewritten, read back the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import painpath
from painpath.clinic import import_bundle, patient_bundle
from painpath.clinic._fhirstore import display_name, prepare_entries
from painpath.errors import FhirInputError

from ._world import World

SYNTHEA = Path(__file__).resolve().parents[3] / "shared/data/synthea-smart-generated-sample-data-r4"


def _bundle(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def test_a_urn_uuid_reference_becomes_a_relative_type_and_id() -> None:
    prepared = prepare_entries(
        _bundle(
            {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient"}},
            {
                "fullUrl": "urn:uuid:c1",
                "resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:p1"}},
            },
        )
    )
    assert [(t, i) for t, i, _ in prepared] == [("Patient", "p1"), ("Condition", "c1")]
    assert prepared[1][2]["subject"] == {"reference": "Patient/p1"}


def test_a_resource_without_id_or_uuid_gets_a_new_id() -> None:
    prepared = prepare_entries(_bundle({"resource": {"resourceType": "Encounter"}}))
    assert len(prepared[0][1]) == 36 and prepared[0][2]["id"] == prepared[0][1]


def test_two_unread_resources_with_one_id_are_refused() -> None:
    twice = {"resource": {"resourceType": "Encounter", "id": "e1"}}
    with pytest.raises(FhirInputError) as caught:
        prepare_entries(_bundle(twice, twice))
    assert caught.value.where == "entry[1]"
    assert "duplicate resource Encounter/e1" in caught.value.what


def test_an_id_that_is_not_a_fhir_id_is_refused() -> None:
    with pytest.raises(FhirInputError) as caught:
        prepare_entries(_bundle({"resource": {"resourceType": "Encounter", "id": "x" * 65}}))
    assert caught.value.where == "entry[0].resource.id"


def test_the_display_name_prefers_the_official_name() -> None:
    patient = {
        "name": [
            {"use": "usual", "given": ["Annie"]},
            {"use": "official", "given": ["Ann", "B."], "family": "Lee"},
        ]
    }
    assert display_name(patient) == "Ann B. Lee"
    assert display_name({}) is None


@pytest.mark.shared_data("synthea-smart-generated-sample-data-r4")
def test_a_synthea_transaction_bundle_reads_back_the_same(world: World) -> None:
    path = min((SYNTHEA / "bundles").glob("*.json"), key=lambda p: p.stat().st_size)
    bundle = json.loads(path.read_text())
    with world.session() as session:
        pid = import_bundle(session, world.principals["clinician"], bundle, now=world.clock())
        stored = patient_bundle(session, pid)
    assert len(stored["entry"]) == len(bundle["entry"])
    day = world.clock().date()
    assert painpath.assess(stored, as_of=day) == painpath.assess(bundle, as_of=day)
