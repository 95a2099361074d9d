"""One patient's resources assembled into a `PatientRecord`, through a registry of readers.

`READERS` maps each resource type painpath reads to the record field it fills and
its reader; every other type is skipped. `INDEXED` adds the types that are only
reference targets (Medication for `medicationReference`, Organization for a
Coverage payor). Both the Bundle reader and the NDJSON reader end here, so a
resource reads the same whichever way it came.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from painpath.domain import PatientRecord
from painpath.fhir._clinical import (
    read_allergy,
    read_condition,
    read_coverage,
    read_diagnostic_report,
    read_imaging_study,
    read_patient_details,
    read_procedure,
)
from painpath.fhir._medications import read_medication_request, read_medication_statement
from painpath.fhir._observations import read_observation, read_questionnaire_response
from painpath.fhir._refs import Index
from painpath.fhir._types import Json, Located

__all__ = [
    "INDEXED",
    "OWNER_ELEMENTS",
    "READERS",
    "Reader",
    "RecordBuilder",
    "build_record",
    "read_resource",
]

Reader = Callable[[Json, str, str, Index], Any]
"""(resource, id, `Type/id` for messages, index) -> a domain object."""

READERS: dict[str, tuple[str, Reader]] = {
    "Condition": ("conditions", read_condition),
    "MedicationRequest": ("medications", read_medication_request),
    "MedicationStatement": ("medications", read_medication_statement),
    "Procedure": ("procedures", read_procedure),
    "Observation": ("observations", read_observation),
    "DiagnosticReport": ("imaging", read_diagnostic_report),
    "ImagingStudy": ("imaging", read_imaging_study),
    "QuestionnaireResponse": ("questionnaires", read_questionnaire_response),
    "AllergyIntolerance": ("allergies", read_allergy),
    "Coverage": ("coverages", read_coverage),
}
"""resourceType -> (PatientRecord field, reader)."""

INDEXED: frozenset[str] = frozenset({"Medication", "Organization"})
"""Types read only as reference targets; they belong to no patient."""

OWNER_ELEMENTS: dict[str, str] = {
    "AllergyIntolerance": "patient",
    "Coverage": "beneficiary",
}
"""The element naming the Patient, where it is not `subject` (for the types painpath reads)."""


class RecordBuilder:
    """Collects one patient's domain objects, field by field, until `finish()`."""

    __slots__ = ("fields",)

    def __init__(self) -> None:
        self.fields: dict[str, list[Any]] = {field: [] for field, _ in READERS.values()}

    def add(self, field: str, item: object) -> None:
        """Append an object read by `read_resource` to its field (None: nothing to keep)."""
        if item is not None:
            self.fields[field].append(item)

    def finish(self, patient: Located) -> PatientRecord:
        """The frozen record: the Patient's own details and everything collected."""
        birth_date, gender = read_patient_details(patient.resource, f"Patient/{patient.id}")
        return PatientRecord(
            patient_id=patient.id,
            birth_date=birth_date,
            gender=gender,
            **{field: tuple(items) for field, items in self.fields.items()},
        )


def read_resource(res: Json, rtype: str, rid: str, index: Index) -> tuple[str, Any]:
    """(record field, domain object) of one resource of a type in `READERS`.

    Raises FhirInputError for invalid values (decision-rules §7), naming `Type/id` and
    the element.
    """
    field, reader = READERS[rtype]
    return field, reader(res, rid, f"{rtype}/{rid}", index)


def build_record(patient: Located, resources: Iterable[Located], index: Index) -> PatientRecord:
    """Read every resource of one patient (already owned, not ignored) into the record."""
    builder = RecordBuilder()
    for res, rid, _origin in resources:
        builder.add(*read_resource(res, res["resourceType"], rid, index))
    return builder.finish(patient)
