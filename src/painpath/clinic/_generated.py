"""Generated documents: the care plan, the prior-authorization packet and the procedure note,
made from the patient's stored record and stored as a Document row (audited like any other).
On export each becomes a FHIR DocumentReference."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from painpath.clinic._documents import document_json
from painpath.clinic._fhirstore import load_bundle
from painpath.clinic._guard import guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.engine import assess_record
from painpath.fhir import read_bundle
from painpath.knowledge import load_knowledge
from painpath.reports import render_document
from painpath.store import Document

__all__ = ["document_reference", "generate_document"]


def generate_document(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    kind: str,
    procedure: str | None = None,
    planned: date | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Make one document (`care-plan`, `prior-auth`, `procedure-note`) from the stored record,
    assessed on `as_of` (default today), store it; returns its metadata."""
    clock = now or utcnow()
    with guarded(
        session, principal, "document.generate", patient_id=patient_id, now=clock
    ) as guard:
        guard.patient(patient_id)
        kb = load_knowledge()
        record = read_bundle(load_bundle(session, patient_id))
        assessment = assess_record(record, kb, as_of or clock.date())
        title, pdf = render_document(
            kind, record, assessment, kb, procedure=procedure, planned=planned
        )
        row = Document(
            patient_id=patient_id,
            title=title,
            content_type="application/pdf",
            content=pdf,
            created_at=clock,
            created_by=principal.user_id,
        )
        session.add(row)
        session.flush()
        guard.target = f"Document/{row.id}"
        guard.detail = kind
        meta = document_json(row, len(pdf))
    return meta


def document_reference(meta: dict[str, Any]) -> dict[str, Any]:
    """A stored document's metadata as a FHIR R4 DocumentReference (the bytes stay behind
    `GET /documents/{id}`)."""
    return {
        "resourceType": "DocumentReference",
        "id": f"document-{meta['id']}",
        "status": "current",
        "subject": {"reference": f"Patient/{meta['patient_id']}"},
        "date": meta["created_at"],
        "description": meta["title"],
        "content": [
            {
                "attachment": {
                    "contentType": meta["content_type"],
                    "url": f"/documents/{meta['id']}",
                    "size": meta["size"],
                    "title": meta["title"],
                }
            }
        ],
    }
