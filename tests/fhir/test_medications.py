"""_medications: MedicationRequest and MedicationStatement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from painpath.domain import Coding, Period
from painpath.errors import FhirInputError
from painpath.fhir import read_bundle
from painpath.fhir._medications import read_medication_request, read_medication_statement
from painpath.fhir._refs import Index

RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
Load = Callable[[str], Any]


def test_contained_medication_gives_the_codings_and_text(load_fixture: Load) -> None:
    (statement,) = read_bundle(load_fixture("medication-contained")).medications
    assert statement.kind == "statement"
    assert statement.codings == (Coding(RX, "855332", "warfarin sodium 5 MG Oral Tablet"),)
    assert statement.text == "warfarin 5 mg"
    assert statement.reason_unresolved is True  # the reason is text only
    assert statement.reasons == ()


def test_statement_effective_datetime_is_one_flagged_day(load_fixture: Load) -> None:
    (statement,) = read_bundle(load_fixture("medication-contained")).medications
    assert statement.effective == Period(date(2026, 5, 1), date(2026, 5, 1))
    assert statement.effective_is_datetime is True
    (dose,) = statement.dosages
    assert (dose.dose_value, dose.dose_unit, dose.timing_code) == (5.0, "mg", "QD")


def test_statement_effective_period_is_not_flagged() -> None:
    res = {"status": "active", "effectivePeriod": {"start": "2025-10-24"}}
    statement = read_medication_statement(res, "s1", "MedicationStatement/s1", Index({}))
    assert statement.effective == Period(date(2025, 10, 24), None)
    assert statement.effective_is_datetime is False
    assert statement.authored is None


def test_request_reads_authored_on_and_validity() -> None:
    res = {
        "status": "active",
        "authoredOn": "2020-10-29T08:15:00-07:00",
        "medicationCodeableConcept": {
            "coding": [{"system": RX, "code": "7052"}],
            "text": "morphine",
        },
        "dispenseRequest": {"validityPeriod": {"start": "2020-10-29", "end": "2021-04"}},
    }
    order = read_medication_request(res, "m1", "MedicationRequest/m1", Index({}))
    assert (order.kind, order.status, order.text) == ("request", "active", "morphine")
    assert order.authored == date(2020, 10, 29)
    assert order.validity == Period(date(2020, 10, 29), date(2021, 4, 30))
    assert order.effective is None


def test_medication_reference_to_an_entry_gives_product_and_ingredients() -> None:
    medication = {
        "resourceType": "Medication",
        "id": "med-1",
        "code": {"coding": [{"system": RX, "code": "1049621"}]},
        "ingredient": [
            {"itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}]}},
            {"itemReference": {"reference": "Medication/med-2"}},
            "junk",
        ],
    }
    part = {
        "resourceType": "Medication",
        "id": "med-2",
        "code": {"coding": [{"system": RX, "code": "161"}]},
    }
    index = Index({"Medication/med-1": medication, "Medication/med-2": part})
    res = {"status": "active", "medicationReference": {"reference": "Medication/med-1"}}
    order = read_medication_request(res, "m1", "MedicationRequest/m1", index)
    assert [c.code for c in order.codings] == ["1049621"]
    assert [c.code for c in order.ingredient_codings] == ["7804", "161"]


def test_unresolvable_medication_reference_keeps_only_its_display() -> None:
    res = {
        "status": "active",
        "medicationReference": {"reference": "Medication/x", "display": "Oxy 5"},
    }
    order = read_medication_request(res, "m1", "MedicationRequest/m1", Index({}))
    assert (order.codings, order.text) == ((), "Oxy 5")


def test_reason_codes_and_resolvable_references_give_codings() -> None:
    condition = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I25.10"}]},
    }
    res = {
        "status": "active",
        "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", "code": "22298006"}]}],
        "reasonReference": [{"reference": "Condition/c1"}],
    }
    order = read_medication_request(res, "m1", "x", Index({"Condition/c1": condition}))
    assert [r[0].code for r in order.reasons] == ["22298006", "I25.10"]
    assert order.reason_unresolved is False


def test_a_reason_reference_to_something_else_is_unresolved() -> None:
    encounter = {"resourceType": "Encounter", "id": "e1"}
    res = {"status": "active", "reasonReference": [{"reference": "Encounter/e1"}]}
    order = read_medication_request(res, "m1", "x", Index({"Encounter/e1": encounter}))
    assert order.reasons == ()
    assert order.reason_unresolved is True


def test_a_negative_dose_in_a_bundle_is_refused_with_its_path(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("negative-dose"))
    err = excinfo.value
    assert (err.what, err.where, err.expected) == (
        "dose is negative",
        "MedicationRequest/medreq-1 dosageInstruction[0].doseAndRate[0].doseQuantity.value",
        "a dose of zero or more",
    )
