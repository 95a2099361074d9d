"""Outcome reports: compute an episode's outcome measures from the stored record, store them as
a new version, read the latest versions back, export them (JSON, CSV, Parquet, FHIR)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from painpath.clinic._documents import document_json
from painpath.clinic._fhirstore import load_bundle
from painpath.clinic._generated import document_reference
from painpath.clinic._guard import guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError, NotFound
from painpath.fhir import read_bundle
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.reports import (
    episode_outcomes,
    measures_csv,
    measures_fhir,
    measures_parquet,
    outcome_summary,
    summary_json,
)
from painpath.store import Document, Episode, OutcomeReport

__all__ = ["EXPORT_FORMATS", "compute_outcomes", "latest_outcomes", "outcome_export"]

EXPORT_FORMATS = {
    "json": "application/json",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "fhir": "application/fhir+json",
}
"""Outcome export formats and their media types."""


def _meta(row: OutcomeReport) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "episode_id": row.episode_id,
        "created_at": row.created_at.isoformat(),
        "knowledge_version": row.knowledge_version,
    }


def compute_outcomes(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    index: str | None = None,
    episode_id: int | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Compute the outcome measures of one episode (its index procedure `index`, else the first
    interventional procedure since the episode opened, else the first in the record) and store
    them as the next version. Returns the measures with the report's `version`."""
    clock = now or utcnow()
    kb = load_knowledge()
    outcomes = load_outcomes()
    with guarded(session, principal, "outcome.compute", patient_id=patient_id, now=clock) as guard:
        guard.patient(patient_id)
        start = None
        if episode_id is not None:
            episode = session.get(Episode, episode_id)
            if episode is None or episode.patient_id != patient_id:
                raise NotFound("no such episode of this patient", f"Episode/{episode_id}")
            start = episode.opened_at.date()
        day = as_of or clock.date()
        record = read_bundle(load_bundle(session, patient_id))
        result = episode_outcomes(record, kb, outcomes, day, index=index, start=start)
        body = result.to_json()
        last = session.scalar(
            select(func.max(OutcomeReport.version)).where(
                OutcomeReport.patient_id == patient_id,
                OutcomeReport.index_procedure == result.index_procedure,
            )
        )
        row = OutcomeReport(
            patient_id=patient_id,
            episode_id=episode_id,
            index_procedure=result.index_procedure,
            procedure=result.procedure,
            version=int(last or 0) + 1,
            as_of=day,
            knowledge_version=kb.version,
            body=body,
            summary=summary_json(outcome_summary(body, outcomes)),
            created_at=clock,
            created_by=principal.user_id,
        )
        session.add(row)
        session.flush()
        guard.target = f"OutcomeReport/{row.id}"
        out = {**body, "report": _meta(row)}
    return out


def _latest(session: Session, patient_id: str) -> list[OutcomeReport]:
    newest = (
        select(OutcomeReport.index_procedure, func.max(OutcomeReport.version).label("v"))
        .where(OutcomeReport.patient_id == patient_id)
        .group_by(OutcomeReport.index_procedure)
        .subquery()
    )
    stmt = (
        select(OutcomeReport)
        .join(
            newest,
            (OutcomeReport.index_procedure == newest.c.index_procedure)
            & (OutcomeReport.version == newest.c.v),
        )
        .where(OutcomeReport.patient_id == patient_id)
        .order_by(OutcomeReport.id)
    )
    return list(session.scalars(stmt))


def latest_outcomes(
    session: Session, principal: Principal, patient_id: str
) -> list[dict[str, Any]]:
    """The latest stored version of each of the patient's outcome reports."""
    with guarded(session, principal, "outcome.read", patient_id=patient_id) as guard:
        guard.patient(patient_id)
        items = [{**dict(r.body), "report": _meta(r)} for r in _latest(session, patient_id)]
        guard.detail = f"{len(items)} reports"
    return items


def _document_references(session: Session, patient_id: str) -> list[dict[str, Any]]:
    """The patient's documents (generated or uploaded) as FHIR DocumentReferences."""
    rows = session.execute(
        select(Document, func.length(Document.content))
        .options(defer(Document.content))
        .where(Document.patient_id == patient_id)
        .order_by(Document.id)
    ).all()
    return [document_reference(document_json(row, int(size or 0))) for row, size in rows]


def outcome_export(
    session: Session, principal: Principal, patient_id: str, fmt: str
) -> tuple[bytes, str]:
    """The latest reports in one format: (bytes, media type). The FHIR Bundle also carries the
    patient's documents as DocumentReferences (their bytes stay behind `GET /documents/{id}`)."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown format {fmt!r}", "format", ", ".join(EXPORT_FORMATS))
    items = latest_outcomes(session, principal, patient_id)
    outcomes = load_outcomes()
    if fmt == "csv":
        return measures_csv(items, outcomes), EXPORT_FORMATS[fmt]
    if fmt == "parquet":
        return measures_parquet(items, outcomes), EXPORT_FORMATS[fmt]
    import orjson

    if fmt == "fhir":
        system = load_knowledge().instruments.painpath_system
        entries = [{"resource": o} for item in items for o in measures_fhir(item, system)]
        entries += [{"resource": r} for r in _document_references(session, patient_id)]
        doc: Any = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    else:
        doc = items
    return orjson.dumps(doc), EXPORT_FORMATS[fmt]
