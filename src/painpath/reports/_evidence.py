"""Evidence references (`Observation/x`, `Procedure/y`) in words a payer reviewer can check."""

from __future__ import annotations

from painpath.domain import PatientRecord
from painpath.knowledge import Knowledge

__all__ = ["describe_evidence"]


def _first_code(codings: tuple[object, ...]) -> str:
    for c in codings:
        code = getattr(c, "code", None)
        if code:
            return str(code)
    return "?"


def describe_evidence(record: PatientRecord, kb: Knowledge, ref: str) -> str:
    """One line for a reference: what it is, its code or value, and its date."""
    kind, _, rid = ref.partition("/")
    names = {i.code: i.id for i in kb.instruments.instruments}
    if kind == "Condition":
        for cond in record.conditions:
            if cond.id == rid:
                when = cond.onset or cond.recorded
                return f"diagnosis {_first_code(cond.codings)}" + (
                    f", onset {when.isoformat()}" if when else ""
                )
    elif kind == "Procedure":
        for proc in record.procedures:
            if proc.id == rid:
                day = proc.performed.day.isoformat() if proc.performed else "date unknown"
                return f"procedure CPT {_first_code(proc.codings)} on {day}"
    elif kind == "Observation":
        for obs in record.observations:
            if obs.id == rid:
                code = _first_code(obs.codings)
                label = names.get(code, code)
                value = "no value" if obs.value is None else f"{obs.value:g}"
                unit = f" {obs.unit}" if obs.unit and obs.unit not in {"{score}", "1"} else ""
                day = obs.effective.day.isoformat() if obs.effective else "date unknown"
                return f"{label} {value}{unit} on {day}"
    elif kind in {"MedicationRequest", "MedicationStatement"}:
        for med in record.medications:
            if med.id == rid:
                name = med.text or _first_code(med.codings)
                start = med.effective.start if med.effective else med.authored
                return f"medication {name}" + (f" from {start.isoformat()}" if start else "")
    elif kind in {"DiagnosticReport", "ImagingStudy"}:
        for img in record.imaging:
            if img.id == rid:
                return f"imaging ({kind}) on {img.when.isoformat() if img.when else 'date unknown'}"
    return ref
