"""Patients: importing a FHIR Bundle (all or nothing), reading the record, listing patients."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from painpath.clinic._fhirstore import (
    display_name,
    load_bundle,
    prepare_entries,
    replace_imported,
    validate_stored,
)
from painpath.clinic._guard import guarded
from painpath.clinic._lists import Page, paginate
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import AccessDenied, FhirInputError
from painpath.fhir import check_json_limits, read_bundle
from painpath.store import Assessment, Episode, Patient

__all__ = [
    "PATIENT_SORTS",
    "get_patient",
    "get_patient_bundle",
    "import_bundle",
    "list_patients",
    "patient_bundle",
    "patient_json",
]

_LATEST_STATUS = (
    select(Assessment.status)
    .where(Assessment.patient_id == Patient.id)
    .order_by(Assessment.created_at.desc(), Assessment.id.desc())
    .limit(1)
    .correlate(Patient)
    .scalar_subquery()
)

# One patient's latest status and episode states (`get_patient`): built once, so their
# cache keys are computed once rather than on every request.
_STATUS_OF = select(_LATEST_STATUS).where(Patient.id == bindparam("patient_id"))
_STATES_OF = (
    select(Episode.state).where(Episode.patient_id == bindparam("patient_id")).order_by(Episode.id)
)

PATIENT_SORTS = {
    "name": Patient.display_name,
    "birth_date": Patient.birth_date,
    "created_at": Patient.created_at,
    "updated_at": Patient.updated_at,
    "id": Patient.id,
}
"""The fields `list_patients` sorts by."""


GENDERS = frozenset({"male", "female", "other", "unknown"})
"""FHIR R4 AdministrativeGender: the only values the `patient.gender` column stores."""


def _check_storable(patient_id: str, gender: str | None) -> None:
    """What the reader accepts but the patient row cannot hold or the API cannot address.

    A Patient id of `.` or `..` is a FHIR id, but a URL path segment of dots is resolved
    away (`/patients/./fhir` is `/patients/fhir`), so that patient could never be read.
    A gender outside AdministrativeGender would not fit the column (PostgreSQL refuses it).
    """
    if patient_id in (".", ".."):
        raise FhirInputError(
            "a Patient id of dots cannot be addressed in a URL",
            f"Patient/{patient_id}",
            "a FHIR id other than '.' or '..'",
        )
    if gender is not None and gender not in GENDERS:
        raise FhirInputError(
            "gender is not an AdministrativeGender code",
            f"Patient/{patient_id} gender",
            "male, female, other or unknown",
        )


def import_bundle(
    session: Session,
    principal: Principal,
    bundle: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> str:
    """Import one patient's FHIR R4 Bundle into the principal's clinic; returns the patient id.

    The Bundle is read (`painpath.fhir.read_bundle`) before anything is written: any
    FhirInputError leaves the database as it was. Importing a patient id again replaces
    that patient's imported resources, all or nothing. A patient of another clinic is
    AccessDenied.
    """
    when = now or utcnow()
    with guarded(session, principal, "fhir.import", now=when) as guard:
        check_json_limits(bundle)  # before the recursive rewrite and the text columns
        record = read_bundle(bundle)
        resources = prepare_entries(bundle)
        pid = record.patient_id
        _check_storable(pid, record.gender)
        guard.patient_id, guard.target = pid, f"Patient/{pid}"
        patient_json_ = next(r for t, i, r in resources if t == "Patient" and i == pid)
        row = session.get(Patient, pid)
        if row is None:
            row = Patient(id=pid, clinic_id=principal.clinic_id, created_at=when, updated_at=when)
            session.add(row)
        elif row.clinic_id != principal.clinic_id:
            raise AccessDenied("the patient belongs to another clinic", f"Patient/{pid}")
        row.display_name = display_name(patient_json_)
        row.birth_date, row.gender, row.updated_at = record.birth_date, record.gender, when
        session.flush()
        replace_imported(session, pid, resources, when)
        validate_stored(session, pid)
    return pid


def patient_bundle(session: Session, patient_id: str) -> dict[str, Any]:
    """The stored record of one patient as a FHIR R4 collection Bundle (no access check)."""
    return load_bundle(session, patient_id)


def get_patient_bundle(session: Session, principal: Principal, patient_id: str) -> dict[str, Any]:
    """The stored record as a Bundle, for a principal who may read it (audited)."""
    with guarded(
        session, principal, "patient.fhir", patient_id=patient_id, target=f"Patient/{patient_id}"
    ) as guard:
        guard.patient(patient_id)
        bundle = load_bundle(session, patient_id)
    return bundle


def _states(session: Session, patient_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {pid: [] for pid in patient_ids}
    if patient_ids:
        rows = session.execute(
            select(Episode.patient_id, Episode.state)
            .where(Episode.patient_id.in_(patient_ids))
            .order_by(Episode.id)
        )
        for pid, state in rows:
            found[pid].append(state)
    return found


def patient_json(row: Patient, states: list[str], status: str | None) -> dict[str, Any]:
    """One patient as the API shows it (staff lists and the patient's own page)."""
    return {
        "id": row.id,
        "display_name": row.display_name,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
        "gender": row.gender,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "version": row.version,
        "episode_states": states,
        "latest_status": status,
    }


def get_patient(session: Session, principal: Principal, patient_id: str) -> dict[str, Any]:
    """One patient's summary: demographics, episode states, the latest assessment status."""
    with guarded(
        session, principal, "patient.read", patient_id=patient_id, target=f"Patient/{patient_id}"
    ) as guard:
        row = guard.patient(patient_id)
        status = session.scalar(_STATUS_OF, {"patient_id": patient_id})
        states = list(session.scalars(_STATES_OF, {"patient_id": patient_id}))
        result = patient_json(row, states, status)
    return result


def list_patients(
    session: Session,
    principal: Principal,
    *,
    name: str | None = None,
    state: str | None = None,
    status: str | None = None,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """The clinic's patients, filtered by name (substring), pathway state and latest status."""
    with guarded(session, principal, "patient.list") as guard:
        stmt = select(Patient).where(Patient.clinic_id == principal.clinic_id)
        if name:
            pattern = "%" + name.lower().replace("%", r"\%").replace("_", r"\_") + "%"
            stmt = stmt.where(func.lower(Patient.display_name).like(pattern, escape="\\"))
        if state:
            # IN (uncorrelated), not EXISTS: SQLite runs a correlated EXISTS once per patient
            # through the `state` index (170 ms for 1,000 patients; 0.5 ms as IN).
            in_state = select(Episode.patient_id).where(Episode.state == state)
            stmt = stmt.where(Patient.id.in_(in_state))
        if status:
            stmt = stmt.where(_LATEST_STATUS.__eq__(status))
        page = paginate(
            session,
            stmt,
            sort=sort,
            sortable=PATIENT_SORTS,
            tiebreak=Patient.id,
            limit=limit,
            offset=offset,
        )
        ids = [row.id for row in page.items]
        states = _states(session, ids)
        latest: dict[str, str | None] = dict(
            session.execute(select(Patient.id, _LATEST_STATUS).where(Patient.id.in_(ids))).all()
        )
        items = [patient_json(r, states[r.id], latest.get(r.id)) for r in page.items]
        guard.detail = f"{len(items)} of {page.total}"
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)
