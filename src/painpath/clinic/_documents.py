"""Documents of a patient's care: stored as bytes with a title and a content type."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from painpath.clinic._guard import guarded
from painpath.clinic._lists import Page, paginate
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError, NotFound
from painpath.store import Document

__all__ = [
    "CONTENT_TYPES",
    "DOCUMENT_SORTS",
    "MAX_DOCUMENT_BYTES",
    "add_document",
    "document_json",
    "get_document",
    "list_documents",
]

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
"""The largest document accepted (the HTTP body limit leaves room for the form around it)."""

CONTENT_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "text/plain", "application/fhir+json"}
)
"""The content types accepted: documents, scans and FHIR JSON, never active content (HTML)."""

DOCUMENT_SORTS = {"created_at": Document.created_at, "title": Document.title, "id": Document.id}
"""The fields `list_documents` sorts by."""

_TITLE = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


def document_json(row: Document, size: int) -> dict[str, Any]:
    """A document's metadata (never its bytes)."""
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "title": row.title,
        "content_type": row.content_type,
        "size": size,
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
    }


def add_document(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    title: str,
    content_type: str,
    content: bytes,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store a document for the patient; returns its metadata."""
    with guarded(session, principal, "document.create", patient_id=patient_id, now=now) as guard:
        guard.patient(patient_id)
        name = title.strip()
        if not _TITLE.fullmatch(name):
            raise InputError("not a one-line title", "title", "1 to 200 characters")
        kind = content_type.split(";", 1)[0].strip().lower()
        if kind not in CONTENT_TYPES:
            raise InputError(
                f"content type {kind!r} is not accepted",
                "content_type",
                ", ".join(sorted(CONTENT_TYPES)),
            )
        if not content or len(content) > MAX_DOCUMENT_BYTES:
            raise InputError(
                f"the document has {len(content)} bytes", "file", f"1 to {MAX_DOCUMENT_BYTES} bytes"
            )
        row = Document(
            patient_id=patient_id,
            title=name,
            content_type=kind,
            content=content,
            created_at=now or utcnow(),
            created_by=principal.user_id,
        )
        session.add(row)
        session.flush()
        guard.target = f"Document/{row.id}"
        result = document_json(row, len(content))
    return result


def list_documents(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    sort: str = "-created_at",
    limit: int = 50,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """The patient's documents (metadata only), newest first by default."""
    with guarded(session, principal, "document.list", patient_id=patient_id) as guard:
        guard.patient(patient_id)
        stmt = (
            select(Document)
            .options(defer(Document.content))
            .where(Document.patient_id == patient_id)
        )
        page = paginate(
            session,
            stmt,
            sort=sort,
            sortable=DOCUMENT_SORTS,
            tiebreak=Document.id,
            limit=limit,
            offset=offset,
        )
        ids = [d.id for d in page.items]
        sizes: dict[int, int | None] = dict(
            session.execute(
                select(Document.id, func.length(Document.content)).where(Document.id.in_(ids))
            ).all()
        )
        items = [document_json(d, int(sizes.get(d.id) or 0)) for d in page.items]
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)


def get_document(
    session: Session, principal: Principal, document_id: int
) -> tuple[dict[str, Any], bytes]:
    """One document: its metadata and bytes."""
    with guarded(session, principal, "document.read", target=f"Document/{document_id}") as guard:
        row = session.get(Document, document_id)
        if row is None:
            raise NotFound("no such document", f"Document/{document_id}")
        guard.patient(row.patient_id)
        content = bytes(row.content)
        meta = document_json(row, len(content))
    return meta, content
