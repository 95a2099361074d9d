"""read_bundle / read_bundle_bytes: whole Bundles, real data, and every kind of bad Bundle."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from painpath.domain import PatientRecord
from painpath.errors import FhirInputError
from painpath.fhir import BUNDLE_TYPES, read_bundle, read_bundle_bytes

from .conftest import (
    MME_TESTS,
    SYNTHEA_BUNDLES,
    VIGNETTES,
    fixture_path,
    requires,
)

Load = Callable[[str], Any]


def _error(excinfo: pytest.ExceptionInfo[FhirInputError]) -> tuple[str, str | None, str | None]:
    err = excinfo.value
    return err.what, err.where, err.expected


# ----------------------------------------------------------------- vignettes


def _vignettes() -> list[Path]:
    return sorted(VIGNETTES.glob("*.bundle.json"))


@requires(VIGNETTES)
@pytest.mark.parametrize("path", _vignettes(), ids=lambda p: p.name.split(".")[0])
def test_every_vignette_reads_or_fails_as_its_expectation_says(path: Path) -> None:
    expect = json.loads(path.with_name(path.name.replace(".bundle.", ".expect.")).read_text())
    if "exit" in expect:
        with pytest.raises(FhirInputError):
            read_bundle_bytes(path.read_bytes())
        return
    record = read_bundle_bytes(path.read_bytes())
    assert record.patient_id.startswith("pt-")
    assert record.conditions


@requires(VIGNETTES)
def test_oxycodone_vignette_reads_10_mg_four_times_a_day() -> None:
    record = read_bundle_bytes((VIGNETTES / "oxycodone-60.bundle.json").read_bytes())
    (order,) = [m for m in record.medications if m.kind == "request"]
    assert order.codings[0].code == "7804"
    assert order.status == "active"
    assert order.authored == date(2026, 5, 2)
    (dose,) = order.dosages
    assert (dose.dose_value, dose.dose_unit) == (10.0, "mg")
    assert (dose.frequency, dose.period, dose.period_unit) == (4, 1.0, "d")
    (statement,) = [m for m in record.medications if m.kind == "statement"]
    assert statement.effective is not None
    assert (statement.effective.start, statement.effective.end) == (
        date(2025, 10, 24),
        date(2026, 2, 21),
    )
    assert record.coverages[0].payor == ("Medicare",)
    assert record.imaging[0].radiology is True
    assert record.birth_date == date(1960, 3, 2)
    assert record.gender == "female"


@requires(VIGNETTES)
def test_facet_vignette_links_85_percent_relief_to_its_procedure() -> None:
    record = read_bundle_bytes((VIGNETTES / "facet-two-positive-blocks.bundle.json").read_bytes())
    relief = {o.id: o for o in record.observations}["observation-22"]
    assert relief.value == 85.0
    assert relief.unit == "%"
    assert relief.part_of == ("Procedure/procedure-21",)
    assert relief.effective is not None and relief.effective.day == date(2026, 4, 2)
    blocks = [p for p in record.procedures if p.codings[0].code == "64493"]
    assert [p.id for p in blocks] == ["procedure-21", "procedure-23"]


# ------------------------------------------------------------------- Synthea


def _synthea() -> list[Path]:
    return sorted(SYNTHEA_BUNDLES.glob("*.json"))


_NO_PATIENT = ("hospitalInformation", "practitionerInformation")


@requires(SYNTHEA_BUNDLES)
@pytest.mark.parametrize("path", _synthea(), ids=lambda p: p.stem[:40])
def test_every_synthea_bundle_reads(path: Path) -> None:
    if path.name.startswith(_NO_PATIENT):
        with pytest.raises(FhirInputError) as excinfo:
            read_bundle_bytes(path.read_bytes())
        assert _error(excinfo) == ("no Patient resource", "entry", "exactly one Patient per Bundle")
        return
    record = read_bundle_bytes(path.read_bytes())
    assert record.observations
    pain = [o for o in record.observations if o.codings and o.codings[0].code == "72514-3"]
    assert all(o.value is not None and 0 <= o.value <= 10 for o in pain)


@requires(SYNTHEA_BUNDLES)
def test_synthea_references_resolve_through_urn_uuid_full_urls() -> None:
    path = next(SYNTHEA_BUNDLES.glob("Adan_Portillo_*.json"))
    record = read_bundle_bytes(path.read_bytes())
    assert record.patient_id == "43b6ae50-2cca-4934-ad38-282f8934b770"
    with_reasons = [m for m in record.medications if m.reasons]
    assert with_reasons, "Synthea reasonReference should resolve to the Condition's codings"
    assert all(r[0].system == "http://snomed.info/sct" for m in with_reasons for r in m.reasons)
    assert {i.resource_type for i in record.imaging} == {"DiagnosticReport", "ImagingStudy"}


# ----------------------------------------------------- CDC MME calculator tests


def _assemble(folder: Path) -> dict[str, Any]:
    resources = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources if r["resourceType"] != "GuidanceResponse"],
    }


@requires(MME_TESTS)
def test_mme_fentanyl_patch_reads_one_patch_every_three_days() -> None:
    record = read_bundle(_assemble(MME_TESTS / "patient-mme-greater-than-fifty"))
    (order,) = record.medications
    assert order.codings[0].code == "197696"
    (dose,) = order.dosages
    assert (dose.dose_value, dose.dose_unit) == (1.0, "patch")
    assert (dose.frequency, dose.period, dose.period_unit) == (1, 3.0, "d")
    assert dose.as_needed is False
    assert order.validity is not None
    assert (order.validity.start, order.validity.end) == (date(2020, 6, 25), date(2020, 12, 25))


@requires(MME_TESTS)
def test_mme_time_of_day_order_counts_two_administration_times() -> None:
    record = read_bundle(_assemble(MME_TESTS / "patient-mme-with-timeofday"))
    (dose,) = record.medications[0].dosages
    assert dose.time_of_day_count == 2
    assert dose.frequency is None
    assert (dose.dose_value, dose.dose_unit) == (10.0, "mg")
    assert dose.bounds is not None and dose.bounds.start == date(2020, 9, 28)
    assert dose.bounds.end is None


@requires(MME_TESTS)
def test_mme_epic_morphine_order_keeps_all_codings_and_the_timing_text() -> None:
    record = read_bundle(_assemble(MME_TESTS / "mmecalc"))
    (order,) = record.medications
    assert order.codings[0].system == "http://www.whocc.no/atc"
    assert "7052" in {c.code for c in order.codings}
    (dose,) = order.dosages
    assert (dose.dose_value, dose.dose_unit) == (20.0, "mg")
    assert dose.time_of_day_count == 1
    assert dose.timing_code == "1000 every 24h scheduled"
    assert dose.route[0].display == "oral"


@requires(MME_TESTS)
def test_mme_patient_without_medications_reads_an_empty_record() -> None:
    record = read_bundle(_assemble(MME_TESTS / "patient-no-meds"))
    assert record == PatientRecord(
        patient_id="patient-no-meds", birth_date=record.birth_date, gender=record.gender
    )


# ----------------------------------------------------------- bundle structure


def test_transaction_bundle_resolves_urn_uuid_references(load_fixture: Load) -> None:
    record = read_bundle(load_fixture("transaction-urn-uuid"))
    (relief,) = record.observations
    assert relief.id == "0b0b0b0b-0000-4000-8000-000000000005"  # from its fullUrl
    assert relief.part_of == ("Procedure/0b0b0b0b-0000-4000-8000-000000000002",)
    (order,) = record.medications
    assert order.codings[0].code == "1049621"
    assert order.ingredient_codings[0].code == "7804"
    assert order.reasons == (record.conditions[0].codings,)
    assert order.reason_unresolved is True  # Condition/missing does not resolve


def test_a_medication_known_only_by_its_urn_uuid_full_url_resolves(load_fixture: Load) -> None:
    bundle = load_fixture("transaction-urn-uuid")
    medication = next(
        e["resource"]
        for e in bundle["entry"]
        if e.get("resource", {}).get("resourceType") == "Medication"
    )
    del medication["id"]
    (order,) = read_bundle(bundle).medications
    assert order.codings[0].code == "1049621"


def test_a_medication_without_any_id_is_no_error(load_fixture: Load) -> None:
    bundle = load_fixture("patient-only")
    bundle["entry"].append({"resource": {"resourceType": "Medication", "code": {"text": "x"}}})
    assert read_bundle(bundle).medications == ()


@pytest.mark.parametrize("bundle_type", sorted(BUNDLE_TYPES))
def test_every_accepted_bundle_type_reads(load_fixture: Load, bundle_type: str) -> None:
    bundle = load_fixture("patient-only")
    bundle["type"] = bundle_type
    assert read_bundle(bundle).patient_id == "pt-1"


def test_history_bundle_is_refused(load_fixture: Load) -> None:
    bundle = load_fixture("patient-only")
    bundle["type"] = "history"
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(bundle)
    what, where, expected = _error(excinfo)
    assert (what, where) == ("unsupported Bundle type", "type")
    assert expected is not None and "collection" in expected


def test_bundle_without_entries_has_no_patient() -> None:
    with pytest.raises(FhirInputError, match="no Patient"):
        read_bundle({"resourceType": "Bundle", "type": "collection"})


def test_resources_painpath_does_not_read_are_skipped(load_fixture: Load) -> None:
    record = read_bundle(load_fixture("clinical-basics"))
    assert record.patient_id == "pt-1"  # the Encounter and Organization are not in the record


def test_transaction_response_entry_without_resource_is_accepted(load_fixture: Load) -> None:
    bundle = load_fixture("patient-only")
    bundle["type"] = "transaction-response"
    bundle["entry"].append({"response": {"status": "204 No Content"}})
    assert read_bundle(bundle).patient_id == "pt-1"


# ------------------------------------------------------------------ bad input


def test_bytes_that_are_not_json_are_refused() -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle_bytes(b'{"resourceType": "Bundle",')
    what, where, expected = _error(excinfo)
    assert what == "not valid JSON"
    assert where is not None and where.startswith("line 1 column")
    assert expected == "a FHIR R4 Bundle as one JSON object"
    assert "\n" not in str(excinfo.value)


def test_a_json_array_is_refused() -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle_bytes(b"[]")
    assert _error(excinfo) == (
        "document is a JSON array, not an object",
        "document",
        "a FHIR R4 Bundle as one JSON object",
    )


def test_a_resource_that_is_not_a_bundle_is_refused() -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle_bytes(fixture_path("not-a-bundle").read_bytes())
    assert _error(excinfo) == (
        "not a Bundle (resourceType 'Patient')",
        "resourceType",
        "a FHIR R4 Bundle as one JSON object",
    )


def test_zero_patients_are_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("zero-patients"))
    assert _error(excinfo) == ("no Patient resource", "entry", "exactly one Patient per Bundle")


def test_two_patients_are_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("two-patients"))
    assert _error(excinfo) == (
        "a second Patient (Patient/pt-2; the first is Patient/pt-1)",
        "entry[1].resource",
        "exactly one Patient per Bundle",
    )


def test_a_resource_of_another_patient_is_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("subject-other-patient"))
    assert _error(excinfo) == (
        "references another Patient",
        "Condition/cond-1 subject.reference",
        "the Bundle's only Patient, Patient/pt-1",
    )


def test_a_skipped_resource_of_another_patient_is_refused_too(load_fixture: Load) -> None:
    bundle = load_fixture("patient-only")
    bundle["entry"].append(
        {"resource": {"resourceType": "Encounter", "subject": {"reference": "urn:uuid:x-2"}}}
    )
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(bundle)
    assert _error(excinfo)[:2] == (
        "references another Patient",
        "entry[1].resource.subject.reference",
    )


def test_a_subject_by_absolute_url_of_the_patient_is_accepted(load_fixture: Load) -> None:
    bundle = load_fixture("nrs-seven")
    obs = bundle["entry"][1]["resource"]
    obs["valueInteger"] = 3
    del obs["valueString"]
    obs["subject"] = {"reference": "https://ehr.example.org/fhir/Patient/pt-1/_history/3"}
    assert read_bundle(bundle).observations[0].value == 3.0


def test_duplicate_resource_ids_are_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("duplicate-ids"))
    assert _error(excinfo) == (
        "duplicate resource Observation/obs-1 (first at entry[1].resource)",
        "entry[2].resource",
        "unique Type/id",
    )


def test_an_entry_without_resource_is_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("entry-without-resource"))
    assert _error(excinfo) == ("entry has no resource", "entry[1]", "a resource in every entry")


@pytest.mark.parametrize(
    ("resource", "what"),
    [
        ("not a resource", "resource is not an object"),
        ({"id": "x"}, "resource has no resourceType"),
    ],
)
def test_malformed_resources_are_refused_with_their_entry_path(
    load_fixture: Load, resource: object, what: str
) -> None:
    bundle = load_fixture("patient-only")
    bundle["entry"].append({"resource": resource})
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(bundle)
    assert _error(excinfo)[:2] == (what, "entry[1].resource")


def test_a_read_resource_without_any_id_is_refused(load_fixture: Load) -> None:
    bundle = load_fixture("patient-only")
    bundle["entry"].append(
        {"resource": {"resourceType": "Condition", "subject": {"reference": "Patient/pt-1"}}}
    )
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(bundle)
    assert _error(excinfo) == (
        "resource has no id",
        "entry[1].resource",
        "an id (or a urn:uuid: fullUrl)",
    )


def test_error_messages_carry_no_patient_details(load_fixture: Load) -> None:
    bundle = load_fixture("onset-unparseable")
    bundle["entry"][0]["resource"]["name"] = [{"family": "Secretname"}]
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(bundle)
    message = str(excinfo.value)
    assert "Secretname" not in message
    assert "1960" not in message
    assert "last spring" not in message
