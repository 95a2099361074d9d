"""A patient's painpath data as one FHIR R4 Bundle, and the whole store as Bulk NDJSON.

The Bundle (type `collection`) holds:

- the stored record, as stored: the imported resources and what painpath added (pain
  scores, relief, procedures, questionnaire answers), each tagged with where it came from
  (`meta.tag` in `SOURCE_SYSTEM`: import | api | pathway);
- one `CarePlan` per pathway episode (`painpath-episode-N`): status, the plan's procedures
  (CPT numbers) as activities, physical therapy and lifestyle advice as notes, and for a
  booked procedure a `ServiceRequest` (`painpath-episode-N-request`) with its date;
- one `DocumentReference` per document (`painpath-document-N`, the content inline);
- the patient's audit trail as `AuditEvent`s (`painpath-audit-N`).

Every reference is relative (`Type/id`); those painpath makes point into the Bundle, and
audit targets that are not FHIR resources (an assessment) become identifiers. CarePlan,
ServiceRequest and AuditEvent are views (tagged `derived`): `import_export` restores the
record and the documents from an export and skips the views (docs/decisions.md).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath.clinic import Principal, fhir_audit_event, guarded
from painpath.knowledge import Knowledge
from painpath.store import AuditEvent, Document, Episode, FhirResource, Patient

__all__ = [
    "DERIVED",
    "OWNER_SYSTEM",
    "SOURCE_SYSTEM",
    "bundle_of",
    "export_ndjson",
    "export_patient",
    "get_patient_export",
    "patient_ids",
    "patient_resources",
]

SOURCE_SYSTEM = "https://painpath.dev/fhir/CodeSystem/record-source"
"""meta.tag system: import | api | pathway (the record), document (a stored document),
derived (painpath's views, not restored by an import)."""
OWNER_SYSTEM = "https://painpath.dev/fhir/CodeSystem/record-patient"
"""meta.tag system of NDJSON lines: the patient whose record holds the resource."""
DERIVED = "derived"
CPT = "http://www.ama-assn.org/go/cpt"
_PLAN_STATUS = {"discharged": "completed", "cancelled": "revoked"}
_DONE = ("follow-up", "decision", "discharged")


def _tag(resource: dict[str, Any], code: str, system: str = SOURCE_SYSTEM) -> dict[str, Any]:
    meta = dict(resource.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), {"system": system, "code": code}]
    return {**resource, "meta": meta}


def _record(session: Session, patient_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(FhirResource.resource, FhirResource.source)
        .where(FhirResource.patient_id == patient_id)
        .order_by(FhirResource.resource_type != "Patient", FhirResource.id)
    ).all()
    return [_tag(resource, source) for resource, source in rows]


def _procedure_code(knowledge: Knowledge, procedure: str) -> dict[str, Any]:
    proc = knowledge.procedures.get(procedure)
    codes = proc.cpt.codes if proc is not None else []
    return {"coding": [{"system": CPT, "code": c} for c in codes], "text": procedure}


def _episode(episode: Episode, patient_id: str, knowledge: Knowledge) -> list[dict[str, Any]]:
    data = episode.data or {}
    plan = data.get("plan") or {}
    schedule = data.get("schedule") or {}
    plan_id = f"painpath-episode-{episode.id}"
    out: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    booked = schedule.get("procedure_id")
    for procedure in plan.get("procedures") or []:
        done = episode.state in _DONE and "procedure_day" in data and procedure == booked
        status = "completed" if done else "scheduled" if procedure == booked else "not-started"
        if procedure == booked:
            request_id = f"{plan_id}-request"
            request = {
                "resourceType": "ServiceRequest",
                "id": request_id,
                "status": "completed" if done else "active",
                "intent": "order",
                "subject": {"reference": f"Patient/{patient_id}"},
                "basedOn": [{"reference": f"CarePlan/{plan_id}"}],
                "code": _procedure_code(knowledge, procedure),
            }
            if schedule.get("start"):
                request["occurrenceDateTime"] = schedule["start"]
            out.append(_tag(request, DERIVED))
            activities.append({"reference": {"reference": f"ServiceRequest/{request_id}"}})
        else:
            detail: dict[str, Any] = {"kind": "ServiceRequest", "status": status}
            detail["code"] = _procedure_code(knowledge, procedure)
            activities.append({"detail": detail})
    notes = [
        {"text": f"{label}: {plan[key]}"}
        for key, label in (("physical_therapy", "Physical therapy"), ("lifestyle", "Lifestyle"))
        if isinstance(plan.get(key), str) and plan[key]
    ]
    careplan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": plan_id,
        "status": _PLAN_STATUS.get(episode.state, "active"),
        "intent": "plan",
        "title": f"Interventional pain pathway: {episode.state}",
        "subject": {"reference": f"Patient/{patient_id}"},
        "period": {"start": episode.opened_at.isoformat()},
        "created": episode.opened_at.isoformat(),
    }
    if activities:
        careplan["activity"] = activities
    if notes:
        careplan["note"] = notes
    return [_tag(careplan, DERIVED), *out]


def _document(row: Document, patient_id: str) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": f"painpath-document-{row.id}",
        "status": "current",
        "subject": {"reference": f"Patient/{patient_id}"},
        "date": row.created_at.isoformat(),
        "description": row.title,
        "content": [
            {
                "attachment": {
                    "contentType": row.content_type,
                    "data": base64.b64encode(row.content).decode("ascii"),
                    "title": row.title,
                    "creation": row.created_at.isoformat(),
                }
            }
        ],
    }


def _audit(row: AuditEvent, present: set[str]) -> dict[str, Any]:
    event = fhir_audit_event(row)
    event["id"] = f"painpath-audit-{row.id}"
    for entity in event.get("entity") or []:
        ref = str(entity["what"].get("reference", ""))
        kind, _, rid = ref.partition("/")
        mapped = {
            "Episode": f"CarePlan/painpath-episode-{rid}",
            "Document": f"DocumentReference/painpath-document-{rid}",
        }.get(kind, ref)
        if mapped in present:
            entity["what"] = {"reference": mapped}
        else:
            entity["what"] = {
                "identifier": {"system": "https://painpath.dev/fhir/sid/target", "value": ref}
            }
    return _tag(event, DERIVED)


def patient_resources(
    session: Session, patient_id: str, knowledge: Knowledge
) -> list[dict[str, Any]]:
    """Every resource of the patient's export (see the module docstring), in order."""
    out = _record(session, patient_id)
    episodes = session.scalars(
        select(Episode).where(Episode.patient_id == patient_id).order_by(Episode.id)
    )
    for episode in episodes:
        out += _episode(episode, patient_id, knowledge)
    documents = session.scalars(
        select(Document).where(Document.patient_id == patient_id).order_by(Document.id)
    )
    out += [_tag(_document(row, patient_id), "document") for row in documents]
    present = {f"{r['resourceType']}/{r['id']}" for r in out}
    audits = session.scalars(
        select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.id)
    )
    out += [_audit(row, present) for row in audits]
    return out


def get_patient_export(
    session: Session,
    principal: Principal,
    patient_id: str,
    knowledge: Knowledge,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The patient's export for a principal who may read the record (audited as
    `patient.export`)."""
    with guarded(
        session,
        principal,
        "patient.export",
        patient_id=patient_id,
        target=f"Patient/{patient_id}",
        now=now,
    ) as guard:
        guard.patient(patient_id)
        bundle = export_patient(session, patient_id, knowledge)
    return bundle


def export_patient(session: Session, patient_id: str, knowledge: Knowledge) -> dict[str, Any]:
    """The patient's painpath data as a FHIR R4 collection Bundle (no access check)."""
    return bundle_of(patient_resources(session, patient_id, knowledge))


def bundle_of(resources: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A collection Bundle of the resources."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def patient_ids(session: Session) -> list[str]:
    """Every patient id of the store, in order."""
    return list(session.scalars(select(Patient.id).order_by(Patient.id)))


def export_ndjson(session: Session, directory: Path, knowledge: Knowledge) -> dict[str, int]:
    """Every patient's export as Bulk-style NDJSON: `<Type>.ndjson` files in `directory`,
    each line one resource tagged with its patient (`OWNER_SYSTEM`). Returns lines per type."""
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    handles: dict[str, Any] = {}
    try:
        for pid in patient_ids(session):
            for resource in patient_resources(session, pid, knowledge):
                rtype = str(resource["resourceType"])
                if rtype not in handles:
                    handles[rtype] = (directory / f"{rtype}.ndjson").open("wb")
                handles[rtype].write(orjson.dumps(_tag(resource, pid, OWNER_SYSTEM)) + b"\n")
                counts[rtype] = counts.get(rtype, 0) + 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts
