"""What follow-up records on a procedure: how long its relief lasted (weeks at or above the
outcomes level, 50%) and whether it had a complication on the day. Each is one painpath-coded
Observation `partOf` the Procedure; recording again replaces the earlier one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from painpath.clinic._diary import DIARY_SOURCE, _linked_rows, _procedure
from painpath.clinic._fhirstore import store_resource, validate_stored
from painpath.clinic._guard import Guard, guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.store import FhirResource

__all__ = ["record_complication", "record_relief_duration"]

_UCUM = "http://unitsofmeasure.org"


def _store(
    session: Session,
    guard: Guard,
    patient_id: str,
    procedure_id: str,
    *,
    code: str,
    display: str,
    value: dict[str, Any],
    clock: datetime,
) -> dict[str, Any]:
    proc = _procedure(session, patient_id, procedure_id)
    ref = f"Procedure/{proc['id']}"
    guard.target = ref
    rid = str(uuid.uuid4())
    system = load_knowledge().instruments.painpath_system
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "partOf": [{"reference": ref}],
        "effectiveDateTime": clock.isoformat(),
        **value,
    }
    stale = _linked_rows(session, patient_id, ref, code)
    if stale:
        session.execute(delete(FhirResource).where(FhirResource.id.in_(stale)))
    store_resource(session, patient_id, "Observation", rid, resource, DIARY_SOURCE, clock)
    validate_stored(session, patient_id)
    return resource


def record_relief_duration(
    session: Session,
    principal: Principal,
    patient_id: str,
    procedure_id: str,
    *,
    weeks: float,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record how many weeks a procedure's relief stayed at or above the outcomes level
    (`relief_duration_percent`, 50%); replaces an earlier record for the same procedure."""
    clock = now or utcnow()
    outcomes = load_outcomes()
    with guarded(session, principal, "relief.record", patient_id=patient_id, now=clock) as guard:
        guard.patient(patient_id)
        if not 0 <= weeks <= 520 or weeks != weeks:
            raise InputError(f"{weeks} weeks is out of range", "weeks", "0 to 520")
        level = outcomes.relief_duration_percent.value
        return _store(
            session,
            guard,
            patient_id,
            procedure_id,
            code=outcomes.codes.relief_duration,
            display=f"Weeks of relief at or above {level:g}%",
            value={"valueQuantity": {"value": weeks, "unit": "wk", "system": _UCUM, "code": "wk"}},
            clock=clock,
        )


def record_complication(
    session: Session,
    principal: Principal,
    patient_id: str,
    procedure_id: str,
    *,
    complication: bool,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record whether the procedure had a complication on the day (yes or no; the details
    belong in the procedure note); the outcome measures count the yes answers."""
    clock = now or utcnow()
    outcomes = load_outcomes()
    with guarded(
        session, principal, "complication.record", patient_id=patient_id, now=clock
    ) as guard:
        guard.patient(patient_id)
        return _store(
            session,
            guard,
            patient_id,
            procedure_id,
            code=outcomes.codes.complication,
            display="Complication on the day of the procedure",
            value={"valueBoolean": bool(complication)},
            clock=clock,
        )
