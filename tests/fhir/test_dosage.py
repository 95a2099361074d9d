"""_dosage: Dosage elements parsed, not interpreted."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from painpath.domain import Coding, Period
from painpath.errors import FhirInputError
from painpath.fhir._dosage import read_dosages


def _one(dosage: dict[str, Any]) -> Any:
    (parsed,) = read_dosages([dosage], "MedicationRequest/m", "dosageInstruction")
    return parsed


def test_dose_quantity_and_repeat_timing_read() -> None:
    dose = _one(
        {
            "sequence": 2,
            "timing": {
                "repeat": {"frequency": 1, "frequencyMax": 2, "period": 4, "periodUnit": "h"}
            },
            "doseAndRate": [
                {"type": {"text": "ordered"}, "doseQuantity": {"value": 5, "unit": "mg"}}
            ],
        }
    )
    assert (dose.sequence, dose.dose_value, dose.dose_unit, dose.dose_high) == (2, 5.0, "mg", None)
    assert (dose.frequency, dose.frequency_max, dose.period, dose.period_unit) == (1, 2, 4.0, "h")
    assert dose.as_needed is False
    assert dose.bounds is None


def test_dose_unit_falls_back_to_the_ucum_code() -> None:
    assert (
        _one({"doseAndRate": [{"doseQuantity": {"value": 25, "code": "ug/h"}}]}).dose_unit == "ug/h"
    )


def test_dose_range_reads_low_and_high() -> None:
    dose = _one(
        {
            "doseAndRate": [
                {"doseRange": {"low": {"value": 1, "unit": "tablet"}, "high": {"value": 2}}}
            ]
        }
    )
    assert (dose.dose_value, dose.dose_high, dose.dose_unit) == (1.0, 2.0, "tablet")


def test_decimal_doses_are_kept() -> None:
    assert _one({"doseAndRate": [{"doseQuantity": {"value": 7.5}}]}).dose_value == 7.5


def test_time_of_day_entries_are_counted() -> None:
    dose = _one({"timing": {"repeat": {"timeOfDay": ["08:00:00", "14:00:00", "20:00:00"]}}})
    assert dose.time_of_day_count == 3


def test_timing_code_takes_the_coding_code_else_the_text() -> None:
    coded = {"timing": {"code": {"coding": [{"code": "BID"}], "text": "twice a day"}}}
    assert _one(coded).timing_code == "BID"
    assert _one({"timing": {"code": {"text": "every morning"}}}).timing_code == "every morning"


def test_as_needed_reads_from_boolean_or_concept() -> None:
    assert _one({"asNeededBoolean": True}).as_needed is True
    assert _one({"asNeededCodeableConcept": {"text": "pain"}}).as_needed is True
    assert _one({"asNeededBoolean": "yes"}).as_needed is False


def test_bounds_period_route_and_max_dose_read() -> None:
    dose = _one(
        {
            "timing": {"repeat": {"boundsPeriod": {"start": "2026-01-01", "end": "2026-03"}}},
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": "34206005"}]},
            "maxDosePerPeriod": {
                "numerator": {"value": 6},
                "denominator": {"value": 1, "unit": "d"},
            },
        }
    )
    assert dose.bounds == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert dose.route == (Coding("http://snomed.info/sct", "34206005"),)
    assert dose.max_per_period == 6.0


def test_a_negative_dose_is_refused() -> None:
    with pytest.raises(FhirInputError) as excinfo:
        _one({"doseAndRate": [{"doseQuantity": {"value": -5, "unit": "mg"}}]})
    err = excinfo.value
    assert (err.what, err.where, err.expected) == (
        "dose is negative",
        "MedicationRequest/m dosageInstruction[0].doseAndRate[0].doseQuantity.value",
        "a dose of zero or more",
    )


def test_a_negative_range_high_is_refused() -> None:
    with pytest.raises(FhirInputError, match=r"doseRange\.high\.value"):
        _one({"doseAndRate": [{"doseRange": {"low": {"value": 1}, "high": {"value": -2}}}]})


@pytest.mark.parametrize("value", ["ten", None, True, [10]])
def test_an_unreadable_dose_reads_as_none_for_the_engine_to_report(value: object) -> None:
    assert _one({"doseAndRate": [{"doseQuantity": {"value": value}}]}).dose_value is None


def test_fractional_or_text_frequencies_read_as_none() -> None:
    dose = _one({"timing": {"repeat": {"frequency": 1.5, "frequencyMax": "2", "period": "4"}}})
    assert (dose.frequency, dose.frequency_max, dose.period) == (None, None, None)
    assert _one({"timing": {"repeat": {"frequency": 2.0}}}).frequency == 2


def test_a_dosage_without_anything_reads_empty() -> None:
    dose = _one({"text": "as directed"})
    assert (dose.dose_value, dose.frequency, dose.timing_code, dose.time_of_day_count) == (
        None,
        None,
        None,
        0,
    )


def test_malformed_lists_read_as_no_dosages() -> None:
    assert read_dosages(None, "x", "dosage") == ()
    assert read_dosages({"sequence": 1}, "x", "dosage") == ()
    assert len(read_dosages([1, "a", {}], "x", "dosage")) == 1
