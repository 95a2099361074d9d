"""The typed patient record (no I/O, no FHIR JSON, no knowledge)."""

from painpath.domain._record import (
    Allergy,
    Coding,
    Condition,
    CoverageInfo,
    Dosage,
    Imaging,
    Medication,
    Observation,
    PatientRecord,
    Period,
    Procedure,
    QuestionnaireAnswers,
    When,
)

__all__ = [
    "Allergy",
    "Coding",
    "Condition",
    "CoverageInfo",
    "Dosage",
    "Imaging",
    "Medication",
    "Observation",
    "PatientRecord",
    "Period",
    "Procedure",
    "QuestionnaireAnswers",
    "When",
]
