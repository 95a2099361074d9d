"""Assessments: the engine run on a patient's stored record, and the stored results.

Each run stores an `Assessment` row with the knowledge version, the as-of date and the
status, so an assessment can be reproduced and explained later.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath import PAYERS, assess
from painpath.clinic._fhirstore import load_bundle
from painpath.clinic._guard import guarded
from painpath.clinic._lists import Page, paginate
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError
from painpath.knowledge import load_knowledge
from painpath.store import Assessment

__all__ = [
    "ASSESSMENT_SORTS",
    "assess_patient",
    "assessment_json",
    "list_assessments",
    "run_assessment",
]

ASSESSMENT_SORTS = {
    "created_at": Assessment.created_at,
    "as_of": Assessment.as_of,
    "status": Assessment.status,
    "id": Assessment.id,
}
"""The fields `list_assessments` sorts by."""


def run_assessment(
    session: Session,
    patient_id: str,
    *,
    as_of: date,
    payer: str,
    now: datetime,
    episode_id: int | None = None,
) -> Assessment:
    """Assess the stored record (no access check: callers hold a guard) and add the row."""
    if payer not in PAYERS:
        raise InputError(f"unknown payer {payer!r}", "payer", " or ".join(PAYERS))
    if as_of > now.date():
        raise InputError("as_of is in the future", "as_of", f"a date up to {now.date()}")
    document = assess(
        load_bundle(session, patient_id), as_of=as_of, payer=payer, knowledge=load_knowledge()
    )
    row = Assessment(
        patient_id=patient_id,
        episode_id=episode_id,
        as_of=as_of,
        knowledge_version=str(document["knowledge_version"]),
        status=str(document["status"]),
        document=document,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def assess_patient(
    session: Session,
    principal: Principal,
    patient_id: str,
    as_of: date | None = None,
    payer: str = "cms",
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Run the engine on the patient's stored record, store it, return the
    `painpath.assessment/v1` document. `as_of` defaults to today (UTC)."""
    clock = now or utcnow()
    with guarded(session, principal, "assessment.run", patient_id=patient_id, now=clock) as guard:
        guard.patient(patient_id)
        row = run_assessment(
            session, patient_id, as_of=as_of or clock.date(), payer=payer, now=clock
        )
        guard.target = f"Assessment/{row.id}"
        document = dict(row.document)
    return document


def assessment_json(row: Assessment) -> dict[str, Any]:
    """A stored assessment: its id, episode, as-of, knowledge version, status and document."""
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "episode_id": row.episode_id,
        "as_of": row.as_of.isoformat(),
        "knowledge_version": row.knowledge_version,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "document": row.document,
    }


def list_assessments(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    sort: str = "-created_at",
    limit: int = 20,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """The patient's stored assessments, newest first by default."""
    with guarded(session, principal, "assessment.list", patient_id=patient_id) as guard:
        guard.patient(patient_id)
        stmt = select(Assessment).where(Assessment.patient_id == patient_id)
        page = paginate(
            session,
            stmt,
            sort=sort,
            sortable=ASSESSMENT_SORTS,
            tiebreak=Assessment.id,
            limit=limit,
            offset=offset,
        )
        items = [assessment_json(a) for a in page.items]
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)
