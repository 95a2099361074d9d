"""Records that painpath ignores: not read, not validated (decision-rules §0).

The table maps each resource type to the element that carries its status and the
status codes that make the record void. Condition and AllergyIntolerance are voided
by `verificationStatus` (a CodeableConcept), the others by `status` (a code).
"""

from __future__ import annotations

from painpath.fhir._types import Json
from painpath.fhir._values import first_code

__all__ = ["IGNORED", "is_ignored"]

IGNORED: dict[str, tuple[str, frozenset[str]]] = {
    "Condition": ("verificationStatus", frozenset({"refuted", "entered-in-error"})),
    "AllergyIntolerance": ("verificationStatus", frozenset({"refuted", "entered-in-error"})),
    "Procedure": ("status", frozenset({"not-done", "entered-in-error"})),
    "Observation": ("status", frozenset({"entered-in-error", "cancelled"})),
    "DiagnosticReport": ("status", frozenset({"entered-in-error", "cancelled"})),
    "ImagingStudy": ("status", frozenset({"entered-in-error", "cancelled"})),
    "MedicationStatement": ("status", frozenset({"not-taken", "entered-in-error"})),
    "MedicationRequest": ("status", frozenset({"entered-in-error", "cancelled", "draft"})),
    "QuestionnaireResponse": ("status", frozenset({"entered-in-error", "stopped", "in-progress"})),
}
"""resourceType -> (status element, status codes that void the record)."""


def is_ignored(resource: Json, resource_type: str) -> bool:
    """True when the record is void under §0 and must be dropped before validation."""
    rule = IGNORED.get(resource_type)
    if rule is None:
        return False
    element, void = rule
    value = resource.get(element)
    if value is None:
        return False
    code = first_code(value) if element == "verificationStatus" else value
    return isinstance(code, str) and code in void
