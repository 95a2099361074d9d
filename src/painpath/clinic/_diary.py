"""Recording a block's pain diary and a procedure's duration of relief in the FHIR record.

The diary becomes ONE Observation of percent relief (the code the engine already reads),
`partOf` the Procedure, effective at its latest entry (kept on the block's day), with the
interpretation POS/NEG, the diary scores as components (minutes in an extension) and status
`preliminary` until every diary time has a score.
The engine's next assessment reads it like any recorded relief: two positive medial branch
blocks make ablation eligible with no one re-typing anything. A new diary for the same
procedure replaces the old one. (Relief duration and complications: `_followup.py`.)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from painpath.clinic._fhirstore import store_resource, validate_stored
from painpath.clinic._guard import guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError, NotFound
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.reports import MINUTES_URL, DiaryEntry, block_response, session_family_of
from painpath.store import FhirResource

__all__ = ["DIARY_SOURCE", "record_block_diary"]

DIARY_SOURCE = "diary"
"""`fhir_resource.source` of what this module writes (replaced when recorded again)."""


_LOINC = "http://loinc.org"
_UCUM = "http://unitsofmeasure.org"
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_SKEW = timedelta(minutes=5)


def _procedure(session: Session, patient_id: str, procedure_id: str) -> dict[str, Any]:
    rid = procedure_id.removeprefix("Procedure/")
    resource = session.scalar(
        select(FhirResource.resource).where(
            FhirResource.patient_id == patient_id,
            FhirResource.resource_type == "Procedure",
            FhirResource.resource_id == rid,
        )
    )
    if resource is None:
        raise NotFound("no such procedure in the record", f"Procedure/{rid}")
    return dict(resource)


def _cpt(resource: dict[str, Any]) -> str | None:
    for coding in (resource.get("code") or {}).get("coding") or []:
        if isinstance(coding, dict) and "cpt" in str(coding.get("system", "")):
            code = coding.get("code")
            return code if isinstance(code, str) else None
    return None


def _performed(resource: dict[str, Any]) -> datetime:
    text = resource.get("performedDateTime")
    if not isinstance(text, str):
        period = resource.get("performedPeriod")
        text = period.get("start") if isinstance(period, dict) else None
    when = None
    if isinstance(text, str) and "T" in text:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None or when.tzinfo is None:
        raise InputError(
            "the procedure has no time of day with a UTC offset; diary times count from it",
            "procedure",
            "a Procedure with performedDateTime such as 2026-04-02T09:00:00Z",
        )
    return when


def _linked_rows(session: Session, patient_id: str, ref: str, code: str) -> list[int]:
    rows = session.execute(
        select(FhirResource.id, FhirResource.resource).where(
            FhirResource.patient_id == patient_id,
            FhirResource.resource_type == "Observation",
            FhirResource.source == DIARY_SOURCE,
        )
    ).all()
    found: list[int] = []
    for row_id, res in rows:
        parts = [p.get("reference") for p in res.get("partOf") or [] if isinstance(p, dict)]
        codes = [c.get("code") for c in (res.get("code") or {}).get("coding") or []]
        if ref in parts and code in codes:
            found.append(row_id)
    return found


def _component(
    minutes: int, nrs: float | None, relief: float | None, painpath: str
) -> dict[str, Any]:
    """One diary entry as an Observation component (minutes after the block in an extension)."""
    out: dict[str, Any] = {"extension": [{"url": MINUTES_URL, "valueInteger": minutes}]}
    if nrs is not None:
        out["code"] = {"coding": [{"system": _LOINC, "code": "72514-3"}]}
        out["valueInteger"] = int(nrs)
    else:
        out["code"] = {"coding": [{"system": painpath, "code": "percent-relief"}]}
        out["valueQuantity"] = {"value": relief, "unit": "%", "system": _UCUM, "code": "%"}
    return out


def _effective(start: datetime, last: datetime) -> datetime:
    """When the diary's result stands: its latest entry, kept on the block's calendar day (in
    the procedure's own offset), since the engine judges a block on the day it was done."""
    end_of_day = start.replace(hour=23, minute=59, second=0, microsecond=0)
    return min(last.astimezone(start.tzinfo), end_of_day)


def record_block_diary(
    session: Session,
    principal: Principal,
    patient_id: str,
    procedure_id: str,
    *,
    baseline: float | None,
    entries: Sequence[DiaryEntry],
    anesthetic: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Judge a block's diary and record it on the procedure; returns the result and the
    stored Observation. A diary whose relief cannot be computed (no baseline) is refused with
    the reason (InputError): nothing is stored, and no number is made up."""
    clock = now or utcnow()
    kb = load_knowledge()
    outcomes = load_outcomes()
    with guarded(session, principal, "diary.record", patient_id=patient_id, now=clock) as guard:
        guard.patient(patient_id)
        proc = _procedure(session, patient_id, procedure_id)
        ref = f"Procedure/{proc['id']}"
        guard.target = ref
        family = session_family_of(kb, _cpt(proc))
        diary = list(entries)
        response = block_response(
            kb, outcomes, family, baseline=baseline, entries=diary, anesthetic=anesthetic
        )
        if response.peak_percent is None:
            raise InputError(response.message, "baseline" if baseline is None else "entries")
        start = _performed(proc)
        last = start + timedelta(minutes=max(e.minutes for e in diary))
        if last > clock + _SKEW:
            raise InputError("a diary time is in the future", "entries", "scores up to now")
        painpath = kb.instruments.painpath_system
        positive = response.result == "positive"
        rid = str(uuid.uuid4())
        components = [] if baseline is None else [_component(0, baseline, None, painpath)]
        components += [_component(e.minutes, e.nrs, e.relief, painpath) for e in response.entries]
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": rid,
            "status": "final" if response.complete else "preliminary",
            "code": {
                "coding": [
                    {
                        "system": painpath,
                        "code": "percent-relief",
                        "display": "Pain relief after a procedure (percent)",
                    }
                ]
            },
            "subject": {"reference": f"Patient/{patient_id}"},
            "partOf": [{"reference": ref}],
            "effectiveDateTime": _effective(start, last).isoformat(),
            "valueQuantity": {
                "value": response.peak_percent,
                "unit": "%",
                "system": _UCUM,
                "code": "%",
            },
            "interpretation": [
                {
                    "coding": [
                        {
                            "system": _INTERPRETATION,
                            "code": "POS" if positive else "NEG",
                            "display": "Positive" if positive else "Negative",
                        }
                    ]
                }
            ],
            "method": {"text": f"pain diary, {response.anesthetic}"},
            "note": [{"text": response.message}],
            "component": components,
        }
        stale = _linked_rows(session, patient_id, ref, "percent-relief")
        if stale:
            session.execute(delete(FhirResource).where(FhirResource.id.in_(stale)))
        store_resource(session, patient_id, "Observation", rid, resource, DIARY_SOURCE, clock)
        validate_stored(session, patient_id)
        guard.detail = response.result
    return {"response": response.to_json(), "observation": resource}
