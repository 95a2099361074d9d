"""_instruments: scored instruments and their ranges come from the knowledge base."""

from __future__ import annotations

import pytest

from painpath.domain import Coding
from painpath.errors import FhirInputError
from painpath.fhir._instruments import check_element_value, check_score, instrument_of, ranges

LOINC = "http://loinc.org"
PP = "https://painpath.dev/fhir/CodeSystem/painpath"


def test_ranges_come_from_instruments_yaml() -> None:
    table = ranges()
    assert table.by_code[(LOINC, "72514-3")].maximum == 10
    assert table.by_code[(PP, "percent-relief")].maximum == 100
    assert table.intake_url == "https://painpath.dev/fhir/Questionnaire/intake"
    assert set(table.intake_items) == {"nrs", "peg-pain", "peg-enjoyment", "peg-activity"}


def test_instrument_of_matches_system_and_code() -> None:
    assert instrument_of((Coding(LOINC, "72514-3"),)) is not None
    assert instrument_of((Coding("http://snomed.info/sct", "72514-3"),)) is None
    assert instrument_of(()) is None


def test_bounds_are_inclusive() -> None:
    nrs = ranges().by_code[(LOINC, "72514-3")]
    assert check_score(0, "w", nrs) == 0.0
    assert check_score(10, "w", nrs) == 10.0
    with pytest.raises(FhirInputError) as excinfo:
        check_score(10.01, "w", nrs)
    assert excinfo.value.expected == "a number from 0 to 10 (nrs)"


def test_a_quantity_without_a_value_is_not_a_number() -> None:
    nrs = ranges().by_code[(LOINC, "72514-3")]
    with pytest.raises(FhirInputError) as excinfo:
        check_element_value({"valueQuantity": {"unit": "{score}"}}, "Observation/o ", nrs)
    assert excinfo.value.where == "Observation/o valueQuantity.value"


def test_other_value_types_are_not_numbers() -> None:
    relief = ranges().by_code[(PP, "percent-relief")]
    with pytest.raises(FhirInputError) as excinfo:
        check_element_value({"valueCodeableConcept": {"text": "good"}}, "Observation/o ", relief)
    assert excinfo.value.where == "Observation/o valueCodeableConcept"
    assert check_element_value({"status": "final"}, "Observation/o ", relief) is None
