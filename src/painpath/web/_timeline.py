"""The patient chart as a timeline: the stored FHIR record, newest first, one line per entry.

Reads the FHIR JSON the clinic service returns (no rules applied here): conditions,
medications (with the MME the assessment computed for them), conservative care and
procedures (with the relief linked to them), scores, questionnaires and reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from painpath.knowledge import Knowledge

__all__ = ["KINDS", "Entry", "anchor", "code_names", "timeline"]

_KINDS = {
    "Condition": "Condition",
    "MedicationRequest": "Medication",
    "MedicationStatement": "Medication",
    "Procedure": "Procedure",
    "Observation": "Score",
    "QuestionnaireResponse": "Questionnaire",
    "DiagnosticReport": "Report",
    "ImagingStudy": "Imaging",
    "Encounter": "Visit",
    "AllergyIntolerance": "Allergy",
}

KINDS = tuple(dict.fromkeys(_KINDS.values()))
"""The kinds of timeline entries, in the order the chart's filter lists them."""


@dataclass
class Entry:
    """One line of the timeline."""

    ref: str  # "Condition/abc"
    kind: str
    date: str
    title: str
    detail: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return anchor(self.ref)


def anchor(ref: str) -> str:
    """The HTML id of a record entry: `Condition/abc` -> `r-Condition-abc`."""
    return "r-" + ref.replace("/", "-")


def code_names(kb: Knowledge) -> dict[str, str]:
    """Names for codes a record often carries without a display: procedure CPT codes,
    physical therapy codes and scored instruments (memoized per knowledge base)."""
    memo = kb.cache("web.code_names")
    if "names" not in memo:
        names: dict[str, str] = {}
        for code_set in kb.procedures_file.physical_therapy:
            names.update(dict.fromkeys(code_set.codes, "Physical therapy"))
        for proc in kb.procedures.values():  # a shared CPT code: the first procedure's name,
            for code in proc.cpt.codes:  # as the outcome measures and charts label it
                names.setdefault(code, proc.name)
        for (_, code), instrument in kb.instrument_by_code.items():
            names[code] = f"Score: {instrument.id}"
        memo["names"] = names
    result: dict[str, str] = memo["names"]
    return result


def _concept(value: object, names: Mapping[str, str] | None = None) -> str:
    if not isinstance(value, Mapping):
        return ""
    for coding in value.get("coding") or []:
        if isinstance(coding, Mapping) and coding.get("display"):
            return str(coding["display"])
    if value.get("text"):
        return str(value["text"])
    for coding in value.get("coding") or []:
        if isinstance(coding, Mapping) and coding.get("code"):
            code = str(coding["code"])
            return (names or {}).get(code) or f"code {code}"
    return ""


def _codes(value: object) -> str:
    if not isinstance(value, Mapping):
        return ""
    return ", ".join(
        str(c["code"]) for c in value.get("coding") or [] if isinstance(c, Mapping) and "code" in c
    )


def _start(resource: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = resource.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping) and isinstance(value.get("start"), str):
            return str(value["start"])
    return ""


def _value(obs: Mapping[str, Any]) -> str:
    if "valueInteger" in obs:
        return str(obs["valueInteger"])
    quantity = obs.get("valueQuantity")
    if isinstance(quantity, Mapping) and "value" in quantity:
        unit = quantity.get("unit") or ""
        number = quantity["value"]
        text = (
            str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)
        )
        return f"{text}{'' if unit == '%' else ' '}{unit}".strip()
    for key in ("valueDecimal", "valueString", "valueBoolean"):
        if key in obs:
            return str(obs[key])
    concept = _concept(obs.get("valueCodeableConcept"))
    return concept


def _medication(resource: Mapping[str, Any]) -> str:
    name = _concept(resource.get("medicationCodeableConcept"))
    if not name:
        ref = resource.get("medicationReference")
        if isinstance(ref, Mapping):
            name = str(ref.get("display") or ref.get("reference") or "")
    return name or "medication"


def _dosage(resource: Mapping[str, Any]) -> str:
    for key in ("dosageInstruction", "dosage"):
        for dose in resource.get(key) or []:
            if isinstance(dose, Mapping) and dose.get("text"):
                return str(dose["text"])
    return ""


def _linked(resources: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Procedure ref -> the scores linked to it (`partOf`), as words."""
    found: dict[str, list[str]] = {}
    for obs in resources:
        if obs.get("resourceType") != "Observation":
            continue
        for part in obs.get("partOf") or []:
            ref = part.get("reference") if isinstance(part, Mapping) else None
            if isinstance(ref, str):
                when = _start(obs, "effectiveDateTime", "effectivePeriod")
                found.setdefault(ref, []).append(
                    f"{_concept(obs.get('code'))}: {_value(obs)} ({when[:16].replace('T', ' ')})"
                )
    return found


def timeline(
    bundle: Mapping[str, Any],
    document: Mapping[str, Any] | None,
    names: Mapping[str, str] | None = None,
) -> list[Entry]:
    """The record's entries, newest first (entries without a date last); `names` names codes
    that carry no display (`code_names`)."""
    resources = [
        e["resource"]
        for e in bundle.get("entry") or []
        if isinstance(e, Mapping) and isinstance(e.get("resource"), Mapping)
    ]
    mme: dict[str, float] = {}
    for item in (document or {}).get("mme_items") or []:
        for ref in item.get("evidence") or []:
            mme[ref] = float(item.get("mme_per_day") or 0.0)
    relief = _linked(resources)
    entries: list[Entry] = []
    for r in resources:
        rtype = str(r.get("resourceType"))
        if rtype == "Patient" or rtype not in _KINDS:
            continue
        ref = f"{rtype}/{r.get('id')}"
        entry = Entry(ref, _KINDS[rtype], "", "")
        if rtype == "Condition":
            entry.date = _start(r, "onsetDateTime", "onsetPeriod", "recordedDate")
            entry.title = _concept(r.get("code"), names)
            status = _codes(r.get("clinicalStatus"))
            entry.detail = [f"ICD/SNOMED {_codes(r.get('code'))}"] + ([status] if status else [])
        elif rtype in ("MedicationRequest", "MedicationStatement"):
            entry.date = _start(r, "authoredOn", "effectivePeriod", "effectiveDateTime")
            entry.title = _medication(r)
            entry.detail = [d for d in (_dosage(r), str(r.get("status") or "")) if d]
            if ref in mme:
                entry.detail.append(f"{mme[ref]:g} MME/day")
        elif rtype == "Procedure":
            entry.date = _start(r, "performedDateTime", "performedPeriod")
            entry.title = _concept(r.get("code"), names) or "procedure"
            entry.detail = [f"code {_codes(r.get('code'))}", *relief.get(ref, [])]
        elif rtype == "Observation":
            if r.get("partOf"):
                continue  # shown under its procedure
            entry.date = _start(r, "effectiveDateTime", "effectivePeriod", "effectiveInstant")
            entry.title = _concept(r.get("code"), names) or "observation"
            entry.detail = [_value(r)]
        elif rtype == "QuestionnaireResponse":
            entry.date = str(r.get("authored") or "")
            entry.title = "Questionnaire answers"
            entry.detail = [str(r.get("questionnaire") or "")]
        else:
            entry.date = _start(
                r, "effectiveDateTime", "issued", "started", "period", "recordedDate"
            )
            entry.title = _concept(r.get("code")) or _concept(r.get("type")) or rtype
            if r.get("conclusion"):
                entry.detail = [str(r["conclusion"])]
        entries.append(entry)
    dated = sorted((e for e in entries if e.date), key=lambda e: e.date, reverse=True)
    return dated + [e for e in entries if not e.date]
