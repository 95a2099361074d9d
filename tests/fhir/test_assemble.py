"""_assemble: the registry of readers and the record it builds."""

from __future__ import annotations

import dataclasses

from painpath.domain import PatientRecord
from painpath.fhir._assemble import READERS, RecordBuilder, build_record, read_resource
from painpath.fhir._ignore import IGNORED
from painpath.fhir._refs import Index
from painpath.fhir._types import Located


def test_every_reader_fills_a_record_field() -> None:
    fields = {f.name for f in dataclasses.fields(PatientRecord)}
    assert {field for field, _ in READERS.values()} <= fields
    assert fields - {field for field, _ in READERS.values()} == {
        "patient_id",
        "birth_date",
        "gender",
    }


def test_every_type_with_ignored_statuses_is_read() -> None:
    assert set(IGNORED) <= set(READERS)


def test_build_record_collects_by_field_in_order() -> None:
    patient = Located({"resourceType": "Patient", "id": "p", "gender": "other"}, "p", "entry[0]")
    resources = [
        Located({"resourceType": "Procedure", "status": "completed"}, "pr1", "entry[1]"),
        Located({"resourceType": "Condition"}, "c1", "entry[2]"),
        Located({"resourceType": "Procedure"}, "pr2", "entry[3]"),
    ]
    record = build_record(patient, resources, Index({}))
    assert [p.id for p in record.procedures] == ["pr1", "pr2"]
    assert [c.id for c in record.conditions] == ["c1"]
    assert record.gender == "other"


def test_builder_and_read_resource_compose() -> None:
    builder = RecordBuilder()
    relief = {
        "status": "final",
        "code": {
            "coding": [
                {
                    "system": "https://painpath.dev/fhir/CodeSystem/painpath",
                    "code": "percent-relief",
                }
            ]
        },
    }
    builder.add(*read_resource(relief, "Observation", "o1", Index({})))
    record = builder.finish(Located({}, "p", "x"))
    assert [o.id for o in record.observations] == ["o1"]
