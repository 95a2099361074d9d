"""Prefetch values in every form EHRs send them, and what is left to fetch."""

from __future__ import annotations

import pytest

from painpath.errors import InputError
from painpath.interop import collect_resources, missing_keys, render_template

PATIENT = {"resourceType": "Patient", "id": "p"}
COND = {"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/p"}}


def test_templates_take_the_context_id_without_its_type() -> None:
    template = "Condition?patient={{context.patientId}}"
    assert render_template(template, {"patientId": "Patient/p-1"}) == "Condition?patient=p-1"


def test_resource_bundle_and_entry_forms_are_read_and_duplicates_kept_once() -> None:
    items = {
        "patient": PATIENT,
        "conditions": {
            "resourceType": "Bundle",
            "entry": [{"resource": COND}, {"resource": {"resourceType": "OperationOutcome"}}],
        },
        "item3": {"response": {"status": "200 OK"}, "resource": COND},
        "none": None,
    }
    assert collect_resources(items) == [("patient", PATIENT), ("conditions", COND)]


def test_two_versions_of_one_resource_are_refused() -> None:
    other = {**COND, "clinicalStatus": {"text": "resolved"}}
    with pytest.raises(InputError) as caught:
        collect_resources({"a": COND, "b": other})
    assert caught.value.where == "prefetch.b"


def test_null_means_no_data_and_an_absent_key_must_be_fetched() -> None:
    templates = {"patient": "Patient/x", "conditions": "Condition?patient=x"}
    assert missing_keys(templates, {"patient": None}) == ["conditions"]
    assert missing_keys(templates, None) == ["patient", "conditions"]
