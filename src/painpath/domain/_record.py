"""The patient record the engine reasons over: plain, frozen, typed objects.

Nothing here knows FHIR JSON or the knowledge base. `painpath.fhir` builds these
objects from a Bundle or from Bulk NDJSON; the engine reads them. Codes are kept
as they came (every coding of a concept), so that the engine can pick the system
it knows and map SNOMED CT through the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

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


@dataclass(frozen=True, slots=True)
class Coding:
    """One coding of a concept: system URI, code and display text as given."""

    system: str | None
    code: str | None
    display: str | None = None


@dataclass(frozen=True, slots=True)
class When:
    """A FHIR date or dateTime: its calendar date as written, and the instant when it had a time.

    `instant` is timezone-aware (UTC when the source gave no offset) and `None`
    for a date without a time of day.
    """

    day: date
    instant: datetime | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A closed interval of calendar dates; either end may be open (None)."""

    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        """True when `day` lies in the period (an open end covers every later/earlier date)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    codings: tuple[Coding, ...]
    clinical_status: str | None
    verification_status: str | None
    onset: date | None
    recorded: date | None
    abatement: date | None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Dosage:
    """One dosage instruction, parsed but not interpreted (no MME maths here)."""

    sequence: int | None
    dose_value: float | None
    dose_unit: str | None
    dose_high: float | None
    frequency: int | None
    frequency_max: int | None
    period: float | None
    period_unit: str | None
    time_of_day_count: int
    timing_code: str | None
    as_needed: bool
    bounds: Period | None
    route: tuple[Coding, ...] = ()
    max_per_period: float | None = None


@dataclass(frozen=True, slots=True)
class Medication:
    """A MedicationRequest (`kind='request'`) or MedicationStatement (`kind='statement'`).

    `codings` are the medication's codings, taken from `medicationCodeableConcept`
    or from the Medication resource that `medicationReference` names (plus its
    ingredient codings in `ingredient_codings`). A statement's `effectiveDateTime` becomes a
    one-day `effective` period with `effective_is_datetime` set. `reasons` holds the codings of each
    `reasonCode` and of each resolvable `reasonReference`; `reason_unresolved` is
    true when a reason was given only as text or as a reference that does not resolve.
    """

    id: str
    kind: str
    status: str | None
    codings: tuple[Coding, ...]
    authored: date | None
    effective: Period | None
    validity: Period | None
    dosages: tuple[Dosage, ...]
    reasons: tuple[tuple[Coding, ...], ...] = ()
    reason_unresolved: bool = False
    ingredient_codings: tuple[Coding, ...] = ()
    text: str | None = None
    effective_is_datetime: bool = False  # statement gave effectiveDateTime (effective = one day)


@dataclass(frozen=True, slots=True)
class Procedure:
    id: str
    codings: tuple[Coding, ...]
    status: str | None
    performed: When | None
    performed_end: date | None


@dataclass(frozen=True, slots=True)
class Observation:
    """An Observation painpath reads (a scored instrument such as the NRS, or one of painpath's
    own codes); `value` is its numeric (or boolean as 0/1) value when it has one.

    `part_of` holds the resolved keys (`Procedure/id`) of the resources it is part of.
    """

    id: str
    codings: tuple[Coding, ...]
    status: str | None
    effective: When | None
    value: float | None
    unit: str | None
    part_of: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Imaging:
    """A radiology DiagnosticReport or an ImagingStudy, reduced to what the rules read."""

    id: str
    resource_type: str
    radiology: bool
    when: date | None


@dataclass(frozen=True, slots=True)
class QuestionnaireAnswers:
    """A QuestionnaireResponse: its questionnaire URL, when it was authored, answers by linkId."""

    id: str
    questionnaire: str | None
    status: str | None
    authored: When | None
    answers: dict[str, bool | float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Allergy:
    id: str
    codings: tuple[Coding, ...]
    clinical_status: str | None
    verification_status: str | None
    category: tuple[str, ...] = ()
    text: str | None = None


@dataclass(frozen=True, slots=True)
class CoverageInfo:
    id: str
    status: str | None
    payor: tuple[str, ...]
    type_codings: tuple[Coding, ...]
    type_text: str | None = None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """Everything painpath reads about one patient (ignored records are absent)."""

    patient_id: str
    birth_date: date | None = None
    gender: str | None = None
    conditions: tuple[Condition, ...] = ()
    medications: tuple[Medication, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    observations: tuple[Observation, ...] = ()
    imaging: tuple[Imaging, ...] = ()
    questionnaires: tuple[QuestionnaireAnswers, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    coverages: tuple[CoverageInfo, ...] = ()
