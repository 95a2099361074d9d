"""_clinical: Patient, Condition, Procedure, AllergyIntolerance, Coverage, imaging."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from painpath.domain import Coding
from painpath.errors import FhirInputError
from painpath.fhir import read_bundle
from painpath.fhir._clinical import read_condition, read_diagnostic_report, read_procedure
from painpath.fhir._refs import Index

Load = Callable[[str], Any]


@pytest.fixture
def record(load_fixture: Load) -> Any:
    return read_bundle(load_fixture("clinical-basics"))


def test_condition_reads_statuses_code_and_partial_dates(record: Any) -> None:
    (condition,) = record.conditions
    assert condition.codings == (Coding("http://hl7.org/fhir/sid/icd-10-cm", "M17.11"),)
    assert (condition.clinical_status, condition.verification_status) == ("resolved", "confirmed")
    assert condition.onset == date(2024, 1, 1)
    assert condition.recorded == date(2024, 3, 5)
    assert condition.abatement == date(2025, 2, 1)
    assert condition.text == "knee OA"


def test_condition_onset_falls_back_to_onset_period_start() -> None:
    res = {"onsetPeriod": {"start": "2025-06-15"}, "abatementPeriod": {"start": "2026-01-02"}}
    condition = read_condition(res, "c1", "Condition/c1", Index({}))
    assert (condition.onset, condition.abatement, condition.recorded) == (
        date(2025, 6, 15),
        date(2026, 1, 2),
        None,
    )


def test_an_unparseable_onset_is_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("onset-unparseable"))
    assert (excinfo.value.what, excinfo.value.where) == (
        "date does not parse",
        "Condition/cond-2 onsetDateTime",
    )


def test_procedure_period_reads_start_and_last_day_of_a_partial_end(record: Any) -> None:
    (procedure,) = record.procedures
    assert procedure.performed is not None
    assert procedure.performed.day == date(2025, 11, 1)
    assert procedure.performed.instant is None
    assert procedure.performed_end == date(2026, 1, 31)
    assert procedure.status == "completed"


def test_procedure_performed_datetime_wins_over_the_period() -> None:
    res = {"performedDateTime": "2026-04-02T09:00:00Z", "performedPeriod": {"start": "2026-01-01"}}
    procedure = read_procedure(res, "p", "Procedure/p", Index({}))
    assert procedure.performed is not None and procedure.performed.day == date(2026, 4, 2)
    assert procedure.performed_end is None


def test_an_unparseable_performed_date_is_refused() -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_procedure({"performedPeriod": {"start": "2026-02-31"}}, "p", "Procedure/p", Index({}))
    assert excinfo.value.where == "Procedure/p performedPeriod.start"


def test_radiology_reports_are_marked_and_dated(record: Any) -> None:
    reports = {i.id: i for i in record.imaging}
    assert (reports["dr-1"].radiology, reports["dr-1"].when) == (True, date(2026, 3, 4))
    assert (reports["dr-2"].radiology, reports["dr-2"].when) == (False, date(2026, 2, 1))
    assert reports["img-1"].resource_type == "ImagingStudy"
    assert (reports["img-1"].radiology, reports["img-1"].when) == (True, date(2025, 12, 24))


def test_report_date_prefers_effective_over_issued() -> None:
    res = {"effectiveDateTime": "2026-01-05", "issued": "2026-01-09T10:00:00Z"}
    assert read_diagnostic_report(res, "d", "DiagnosticReport/d", Index({})).when == date(
        2026, 1, 5
    )


def test_an_unparseable_report_issued_date_is_refused() -> None:
    with pytest.raises(FhirInputError, match="DiagnosticReport/d issued"):
        read_diagnostic_report({"issued": "n/a"}, "d", "DiagnosticReport/d", Index({}))


def test_allergy_reads_code_status_and_category(record: Any) -> None:
    (allergy,) = record.allergies
    assert allergy.codings[0].code == "293637006"
    assert (allergy.clinical_status, allergy.verification_status) == ("active", None)
    assert allergy.category == ("medication",)
    assert allergy.text == "contrast media"


def test_coverage_reads_payor_names_and_type(record: Any) -> None:
    (coverage,) = record.coverages
    assert coverage.status == "active"
    assert coverage.payor == ("Medicare", "Acme Health Plan")  # display, then the Organization
    assert coverage.type_codings[0].code == "SUBSIDIZ"
    assert coverage.type_text == "Medicare Part B"


def test_patient_details_read(record: Any) -> None:
    assert (record.birth_date, record.gender) == (date(1960, 3, 2), "female")
