"""A patient's charts: the pain and MME trajectory, and a block's diary curve.

The trajectory is kept in `stored_chart` under the key of its series (`trajectory_key`):
the record is read and the series computed on every view, matplotlib draws only when the
series changed (a new score, dose or procedure, or a later as_of that adds a day)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath.clinic._chartstore import find_charts, store_chart
from painpath.clinic._diary import DIARY_SOURCE, _cpt, _procedure
from painpath.clinic._fhirstore import load_bundle
from painpath.clinic._guard import guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.domain import PatientRecord
from painpath.errors import InputError, NotFound
from painpath.fhir import read_bundle
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.reports import (
    TRAJECTORY_TITLE,
    diary_chart,
    session_family_of,
    trajectory_chart,
    trajectory_key,
    trajectory_series,
)
from painpath.store import FhirResource

__all__ = ["PATIENT_CHARTS", "patient_chart"]

PATIENT_CHARTS = ("trajectory", "block-response")
"""A patient's charts, by name."""


def patient_chart(
    session: Session,
    principal: Principal,
    patient_id: str,
    name: str,
    *,
    procedure: str | None = None,
    fmt: str = "svg",
    as_of: date | None = None,
    now: datetime | None = None,
) -> bytes:
    """One chart of the patient as SVG (or PNG) bytes; `block-response` names its procedure."""
    clock = now or utcnow()
    kb = load_knowledge()
    outcomes = load_outcomes()
    with guarded(
        session, principal, "chart.patient", patient_id=patient_id, target=name, now=clock
    ) as guard:
        guard.patient(patient_id)
        if name == "trajectory":
            record = read_bundle(load_bundle(session, patient_id))
            return _trajectory(
                session, principal.clinic_id, patient_id, record, as_of or clock.date(), fmt, clock
            )
        if name != "block-response":
            raise InputError(f"unknown chart {name!r}", "name", ", ".join(PATIENT_CHARTS))
        if procedure is None:
            raise InputError("the block-response chart names its procedure", "procedure")
        proc = _procedure(session, patient_id, procedure)
        ref = f"Procedure/{proc['id']}"
        protocol = outcomes.diary(session_family_of(kb, _cpt(proc)))
        rows = session.scalars(
            select(FhirResource.resource).where(
                FhirResource.patient_id == patient_id,
                FhirResource.resource_type == "Observation",
                FhirResource.source == DIARY_SOURCE,
            )
        ).all()
        diary = next(
            (
                r
                for r in rows
                if {"reference": ref} in (r.get("partOf") or []) and r.get("component")
            ),
            None,
        )
        if diary is None or protocol is None:
            raise NotFound("no pain diary recorded for this procedure", ref)
        threshold = kb.number(protocol.threshold)
        day = str(proc.get("performedDateTime", ""))[:10]
        return diary_chart(diary, threshold, title=f"Block response, {day}", fmt=fmt)


def _trajectory(
    session: Session,
    clinic_id: int,
    patient_id: str,
    record: PatientRecord,
    as_of: date,
    fmt: str,
    now: datetime,
) -> bytes:
    series = trajectory_series(record, load_knowledge(), load_outcomes(), as_of)
    key = trajectory_key(patient_id, series, fmt)
    found = find_charts(session, clinic_id, [key]).get(key)
    if found is None:
        found = trajectory_chart(TRAJECTORY_TITLE, *series, fmt=fmt)
        media = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
        store_chart(
            session,
            clinic_id,
            "trajectory",
            key,
            found,
            now=now,
            patient_id=patient_id,
            content_type=media,
        )
    return found
