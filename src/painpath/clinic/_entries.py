"""Adding to a patient's FHIR record: pain scores, percent relief and procedures.

Each addition is built as a FHIR R4 resource, stored beside the imported record
(`source = "api"`) and the whole record is read back through the Bundle reader before
commit, so the engine sees it and the reader's rules (ranges, references) apply.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath.clinic._fhirstore import store_resource, validate_stored
from painpath.clinic._guard import guarded
from painpath.clinic._lists import MAX_LIMIT, Page
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError
from painpath.store import FhirResource

__all__ = [
    "CPT_SYSTEM",
    "OBSERVATION_KINDS",
    "add_observation",
    "add_procedure",
    "list_observations",
]

CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
_CPT = re.compile(r"\d{4}[0-9A-Z]")
_UCUM = "http://unitsofmeasure.org"
_SKEW = timedelta(minutes=5)

OBSERVATION_KINDS: dict[str, dict[str, str]] = {
    "nrs": {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    },
    "percent-relief": {
        "system": "https://painpath.dev/fhir/CodeSystem/painpath",
        "code": "percent-relief",
        "display": "Pain relief after a procedure (percent)",
    },
}
"""The observations the API records, by kind: their code (decision-rules §3.1, §8)."""


def _when(value: datetime | None, now: datetime, field: str) -> datetime:
    when = value or now
    if when.tzinfo is None:
        raise InputError("the time has no UTC offset", field, "e.g. 2026-06-01T09:30:00+02:00")
    if when > now + _SKEW:
        raise InputError("the time is in the future", field, "a time up to now")
    return when


def _procedure_ref(session: Session, patient_id: str, part_of: str) -> str:
    rid = part_of.removeprefix("Procedure/")
    found = session.scalar(
        select(FhirResource.id).where(
            FhirResource.patient_id == patient_id,
            FhirResource.resource_type == "Procedure",
            FhirResource.resource_id == rid,
        )
    )
    if found is None:
        raise InputError("no such procedure in the record", "part_of", "a stored Procedure id")
    return f"Procedure/{rid}"


def add_observation(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    kind: str,
    value: float,
    effective: datetime | None = None,
    part_of: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record a pain score (NRS 0-10, LOINC 72514-3) or a percent relief (0-100, `partOf` a
    stored Procedure); returns the stored Observation. Out-of-range values are FhirInputError.
    """
    clock = now or utcnow()
    with guarded(
        session, principal, "observation.create", patient_id=patient_id, now=clock
    ) as guard:
        guard.patient(patient_id)
        coding = OBSERVATION_KINDS.get(kind)
        if coding is None:
            raise InputError(f"unknown kind {kind!r}", "kind", " or ".join(OBSERVATION_KINDS))
        rid = str(uuid.uuid4())
        guard.target = f"Observation/{rid}"
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": rid,
            "status": "final",
            "code": {"coding": [coding]},
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": _when(effective, clock, "effective").isoformat(),
        }
        if not math.isfinite(value):
            raise InputError("not a finite number", "value", "a number")
        if kind == "nrs":
            if float(value) != int(value):
                raise InputError("an NRS score is a whole number", "value", "0 to 10")
            resource["valueInteger"] = int(value)
        else:
            resource["valueQuantity"] = {"value": value, "unit": "%", "system": _UCUM, "code": "%"}
            if part_of is None:
                raise InputError("percent relief needs its procedure", "part_of", "a Procedure id")
        if part_of is not None:
            resource["partOf"] = [{"reference": _procedure_ref(session, patient_id, part_of)}]
        store_resource(session, patient_id, "Observation", rid, resource, "api", clock)
        validate_stored(session, patient_id)
    return resource


def add_procedure(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    cpt: str,
    performed: datetime,
    display: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record a performed procedure (CPT code and date-time); returns the stored Procedure."""
    clock = now or utcnow()
    with guarded(session, principal, "procedure.create", patient_id=patient_id, now=clock) as guard:
        guard.patient(patient_id)
        code = cpt.strip().upper()
        if not _CPT.fullmatch(code):
            raise InputError("not a CPT code", "cpt", "five characters, e.g. 64483")
        rid = str(uuid.uuid4())
        guard.target = f"Procedure/{rid}"
        coding: dict[str, str] = {"system": CPT_SYSTEM, "code": code}
        if display:
            coding["display"] = display.strip()[:200]
        resource: dict[str, Any] = {
            "resourceType": "Procedure",
            "id": rid,
            "status": "completed",
            "code": {"coding": [coding]},
            "subject": {"reference": f"Patient/{patient_id}"},
            "performedDateTime": _when(performed, clock, "performed").isoformat(),
        }
        store_resource(session, patient_id, "Procedure", rid, resource, "api", clock)
        validate_stored(session, patient_id)
    return resource


def _effective_key(resource: dict[str, Any]) -> str:
    period = resource.get("effectivePeriod")
    start = period.get("start") if isinstance(period, dict) else None
    value = resource.get("effectiveDateTime") or resource.get("effectiveInstant") or start
    return value if isinstance(value, str) else ""


def list_observations(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """The patient's Observations (imported and added), newest first, optionally one code."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InputError("limit or offset out of range", "limit", f"1 to {MAX_LIMIT}, offset >= 0")
    with guarded(session, principal, "observation.list", patient_id=patient_id) as guard:
        guard.patient(patient_id)
        rows = session.scalars(
            select(FhirResource.resource).where(
                FhirResource.patient_id == patient_id, FhirResource.resource_type == "Observation"
            )
        ).all()
        found = [
            r
            for r in rows
            if code is None
            or any(
                c.get("code") == code
                for c in (r.get("code") or {}).get("coding") or []
                if isinstance(c, dict)
            )
        ]
        found.sort(key=_effective_key, reverse=True)
        guard.detail = f"{min(limit, max(0, len(found) - offset))} of {len(found)}"
    return Page(items=found[offset : offset + limit], total=len(found), limit=limit, offset=offset)
