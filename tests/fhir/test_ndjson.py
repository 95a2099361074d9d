"""read_ndjson_dir / read_ndjson_resources / ndjson_files: Bulk Data export folders."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from painpath.errors import FhirInputError
from painpath.fhir import ndjson_files, read_ndjson_dir, read_ndjson_resources

from .conftest import SYNTHEA_NDJSON, fixture_path, requires
from .test_bundle_mutations import _mutate

PATIENT = {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01"}


def _export(folder: Path, files: dict[str, list[Any] | str]) -> Path:
    """Write an export folder: each value is a list of resources or the raw file text."""
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        text = (
            content
            if isinstance(content, str)
            else "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in content)
        )
        (folder / name).write_text(text)
    return folder


def _obs(oid: str, patient: str, value: object = 4) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "subject": {"reference": patient},
        "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
        "valueInteger": value,
    }


# ----------------------------------------------------------------- real data


@requires(SYNTHEA_NDJSON)
def test_synthea_export_reads_into_thirteen_records() -> None:
    records = list(read_ndjson_dir(SYNTHEA_NDJSON))
    assert len(records) == 13
    assert len({r.patient_id for r in records}) == 13
    assert sum(len(r.conditions) for r in records) == 555
    assert sum(len(r.allergies) for r in records) == 11
    assert sum(len(r.procedures) for r in records) == 2056
    assert sum(len(r.medications) for r in records) == 1745


@requires(SYNTHEA_NDJSON)
def test_synthea_export_resolves_reason_references_to_conditions() -> None:
    records = list(read_ndjson_dir(SYNTHEA_NDJSON))
    reasons = [m for r in records for m in r.medications if m.reasons]
    assert len(reasons) == 1692
    assert not any(m.reason_unresolved for r in records for m in r.medications)


@requires(SYNTHEA_NDJSON)
def test_the_export_log_is_not_a_resource_file() -> None:
    names = [p.name for p in ndjson_files(SYNTHEA_NDJSON)]
    assert "log.ndjson" not in names
    assert names[0] == "Patient.000.ndjson"  # Patients first, then reference targets
    assert len(names) == 13


# ----------------------------------------------------------------- grouping


def test_resources_group_by_patient_reference_forms(tmp_path: Path) -> None:
    folder = _export(
        tmp_path / "export",
        {
            "Patient.000.ndjson": [PATIENT, {"resourceType": "Patient", "id": "p2"}],
            "Observation.000.ndjson": [
                _obs("o1", "Patient/p1"),
                _obs("o2", "urn:uuid:p2"),
                _obs("o3", "https://fhir.example.org/r4/Patient/p1"),
            ],
            "Encounter.000.ndjson": [{"resourceType": "Encounter", "id": "e1"}],
        },
    )
    records = {r.patient_id: r for r in read_ndjson_dir(folder)}
    assert [o.id for o in records["p1"].observations] == ["o1", "o3"]
    assert [o.id for o in records["p2"].observations] == ["o2"]


def test_medication_references_resolve_across_files(tmp_path: Path) -> None:
    request = {
        "resourceType": "MedicationRequest",
        "id": "mr1",
        "status": "active",
        "subject": {"reference": "Patient/p1"},
        "medicationReference": {"reference": "Medication/m1"},
        "reasonReference": [{"reference": "Observation/o1"}],
    }
    medication = {
        "resourceType": "Medication",
        "id": "m1",
        "code": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7804"}]
        },
    }
    folder = _export(
        tmp_path / "export",
        {
            "MedicationRequest.000.ndjson": [request],
            "Medication.000.ndjson": [medication],
            "Observation.000.ndjson": [_obs("o1", "Patient/p1")],
            "Patient.000.ndjson": [PATIENT],
        },
    )
    (record,) = read_ndjson_dir(folder)
    assert record.medications[0].codings[0].code == "7804"
    assert record.medications[0].reasons[0][0].code == "72514-3"


def test_resources_in_one_mixed_file_still_resolve(tmp_path: Path) -> None:
    request = {
        "resourceType": "MedicationRequest",
        "id": "mr1",
        "status": "active",
        "subject": {"reference": "Patient/p1"},
        "reasonReference": [{"reference": "Condition/c1"}],
    }
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "82423001"}]},
    }
    folder = _export(tmp_path / "export", {"Mixed.ndjson": [request, condition, PATIENT]})
    (record,) = read_ndjson_dir(folder)
    assert record.medications[0].reasons == (record.conditions[0].codings,)
    assert record.medications[0].reason_unresolved is False


def test_ignored_records_are_not_validated(tmp_path: Path) -> None:
    void = _obs("o9", "Patient/p1", 99) | {"status": "entered-in-error"}
    folder = _export(
        tmp_path / "export",
        {"Patient.000.ndjson": [PATIENT], "Observation.000.ndjson": [void]},
    )
    (record,) = read_ndjson_dir(folder)
    assert record.observations == ()


def test_blank_lines_are_allowed(tmp_path: Path) -> None:
    text = "\n" + json.dumps(PATIENT) + "\n\n   \n"
    folder = _export(tmp_path / "export", {"Patient.ndjson": text})
    assert [r.patient_id for r in read_ndjson_dir(folder)] == ["p1"]


def test_low_level_reader_returns_each_resource_with_its_origin(tmp_path: Path) -> None:
    folder = _export(
        tmp_path / "export",
        {"Patient.000.ndjson": [PATIENT], "Observation.000.ndjson": [_obs("o1", "Patient/p1")]},
    )
    found = [(r["resourceType"], origin) for r, origin in read_ndjson_resources(folder)]
    assert found == [
        ("Patient", "Patient.000.ndjson line 1"),
        ("Observation", "Observation.000.ndjson line 1"),
    ]
    only = list(read_ndjson_resources(folder, {"Observation"}))
    assert [r["id"] for r, _ in only] == ["o1"]


# ------------------------------------------------------------------ bad input


def _error(folder: Path) -> tuple[str, str | None, str | None]:
    with pytest.raises(FhirInputError) as excinfo:
        list(read_ndjson_dir(folder))
    return excinfo.value.what, excinfo.value.where, excinfo.value.expected


def test_a_broken_line_is_reported_with_file_and_line(tmp_path: Path) -> None:
    text = json.dumps(_obs("o1", "Patient/p1")) + "\n" + '{"resourceType": "Observation", "id": \n'
    folder = _export(tmp_path / "e", {"Patient.ndjson": [PATIENT], "Observation.000.ndjson": text})
    assert _error(folder) == (
        "not valid JSON",
        "Observation.000.ndjson line 2",
        "one FHIR resource as a JSON object per line",
    )


def test_a_line_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    folder = _export(tmp_path / "e", {"Patient.ndjson": "[1, 2]\n"})
    assert _error(folder)[:2] == ("line is not a JSON object", "Patient.ndjson line 1")


def test_a_cut_short_line_of_a_skipped_type_is_still_reported(tmp_path: Path) -> None:
    text = '{"resourceType":"Encounter","id":"e1","status":"fin\n'
    folder = _export(tmp_path / "e", {"Patient.ndjson": [PATIENT], "Encounter.000.ndjson": text})
    assert _error(folder)[:2] == ("line is cut short", "Encounter.000.ndjson line 1")


def test_a_resource_without_resource_type_is_refused(tmp_path: Path) -> None:
    folder = _export(tmp_path / "e", {"Patient.ndjson": [{"id": "p1"}]})
    assert _error(folder)[:2] == ("resource has no resourceType", "Patient.ndjson line 1")


def test_a_resource_of_a_patient_not_in_the_export_is_refused(tmp_path: Path) -> None:
    folder = _export(
        tmp_path / "e",
        {"Patient.ndjson": [PATIENT], "Observation.ndjson": [_obs("o1", "Patient/ghost")]},
    )
    assert _error(folder) == (
        "references Patient/ghost, which is not in the export",
        "Observation.ndjson line 1, Observation/o1",
        "a Patient resource for every subject",
    )


def test_a_read_resource_that_names_no_patient_is_refused(tmp_path: Path) -> None:
    orphan = _obs("o1", "Patient/p1")
    del orphan["subject"]
    folder = _export(tmp_path / "e", {"Patient.ndjson": [PATIENT], "Observation.ndjson": [orphan]})
    assert _error(folder)[:2] == (
        "names no Patient",
        "Observation.ndjson line 1, Observation/o1 subject",
    )


def test_duplicate_ids_in_an_export_are_refused(tmp_path: Path) -> None:
    folder = _export(tmp_path / "e", {"Patient.000.ndjson": [PATIENT, PATIENT]})
    assert _error(folder) == (
        "duplicate resource Patient/p1 (first at Patient.000.ndjson line 1)",
        "Patient.000.ndjson line 2",
        "unique Type/id",
    )


def test_a_value_error_names_file_line_and_element(tmp_path: Path) -> None:
    folder = _export(
        tmp_path / "e",
        {"Patient.ndjson": [PATIENT], "Observation.ndjson": [_obs("o1", "Patient/p1", 11)]},
    )
    what, where, expected = _error(folder)
    assert what == "value is out of range"
    assert where == "Observation.ndjson line 1, Observation/o1 valueInteger"
    assert expected == "a number from 0 to 10 (nrs)"


def test_a_bad_patient_birth_date_names_its_line(tmp_path: Path) -> None:
    folder = _export(tmp_path / "e", {"Patient.ndjson": [PATIENT | {"birthDate": "1970-13-01"}]})
    assert _error(folder)[:2] == (
        "date does not parse",
        "Patient.ndjson line 1, Patient/p1 birthDate",
    )


def test_errors_come_before_any_record(tmp_path: Path) -> None:
    folder = _export(
        tmp_path / "e",
        {
            "Patient.ndjson": [PATIENT, {"resourceType": "Patient", "id": "p2"}],
            "Observation.ndjson": [_obs("o1", "Patient/p2", -3)],
        },
    )
    records = read_ndjson_dir(folder)
    with pytest.raises(FhirInputError):
        next(records)


def test_a_path_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        list(read_ndjson_dir(tmp_path / "missing"))
    assert excinfo.value.what == "not a folder"


@requires(SYNTHEA_NDJSON)
def test_a_copied_export_with_a_broken_line_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(SYNTHEA_NDJSON, folder)
    path = folder / "Condition.000.ndjson"
    lines = path.read_text().splitlines()
    lines[41] = lines[41][:-5]
    path.chmod(0o644)
    path.write_text("\n".join(lines) + "\n")
    assert _error(folder)[:2] == ("not valid JSON", "Condition.000.ndjson line 42")


# ------------------------------------------------------------------ property


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_exports_read_or_raise_fhir_input_error(data: st.DataObject) -> None:
    base = orjson.loads(fixture_path("clinical-basics").read_bytes())
    resources = [entry["resource"] for entry in base["entry"]]
    resources += [
        entry["resource"]
        for entry in orjson.loads(fixture_path("transaction-urn-uuid").read_bytes())["entry"]
        if "resource" in entry
    ]
    for _ in range(data.draw(st.integers(1, 4))):
        resources = _mutate(data, resources)
    items = resources if isinstance(resources, list) else [resources]
    lines = [json.dumps(r).encode() for r in items] or [b"{}"]
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(lines) - 1))
        lines[cut] = lines[cut][: data.draw(st.integers(0, len(lines[cut])))]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "Mixed.ndjson").write_bytes(b"\n".join(lines))
        try:
            list(read_ndjson_dir(Path(folder)))
        except FhirInputError as exc:
            assert exc.what and "\n" not in str(exc)
