"""Assessments: the engine run on a patient's stored record, and the stored results.

Each run's result is stored as an `Assessment` row with the knowledge version, the as-of date
and the status, so an assessment can be reproduced and explained later. A run whose result is
exactly the patient's latest stored assessment (same document, as-of date and episode) points
at that row instead of storing a copy: the history keeps every distinct result, and a record
read again and again (an EHR polling, a page reloaded) does not grow the table.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from painpath import PAYERS, assess
from painpath.clinic._fhirstore import bundle_from_texts, record_texts
from painpath.clinic._guard import guarded
from painpath.clinic._lists import Page, paginate
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError
from painpath.knowledge import Knowledge, load_knowledge
from painpath.store import Assessment

__all__ = [
    "ASSESSMENT_SORTS",
    "DOCUMENTS",
    "DocumentCache",
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


class DocumentCache:
    """Engine results this process has computed, by everything they depend on.

    The engine is a pure function of the stored record, the as-of date, the payer and the
    knowledge base. The key holds a SHA-256 of the record's stored text, read from the
    database on every call, so a record changed by any process (another worker, another
    host) has a new key: a cached document is never stale, and losing the cache (a
    restart, eviction) only costs the recomputation. Entries are kept as JSON bytes and
    every hit is a fresh copy, so no caller can change what the next one gets.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[Knowledge, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, knowledge: Knowledge) -> dict[str, Any] | None:
        """A copy of the document stored under `key` for this knowledge base, else None."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
        if item is None or item[0] is not knowledge:
            return None
        document: dict[str, Any] = orjson.loads(item[1])
        return document

    def put(self, key: Hashable, knowledge: Knowledge, document: dict[str, Any]) -> None:
        """Keep `document` unless its JSON form would not give it back exactly."""
        try:
            data = orjson.dumps(document)
        except TypeError:  # e.g. an integer beyond 64 bits: not cached
            return
        if orjson.loads(data) != document:  # e.g. NaN (orjson writes null): not cached
            return
        with self._lock:
            self._items[key] = (knowledge, data)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


DOCUMENTS = DocumentCache(512)
"""This process's assessment documents (about 10 KB each)."""


def _fingerprint(texts: Sequence[tuple[str, str]]) -> bytes:
    """SHA-256 of a stored record: every resource's type and JSON text, in order."""
    digest = hashlib.sha256()
    for rtype, text in texts:
        digest.update(rtype.encode())
        digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


_LATEST = (  # built once: its cache key is computed once, not on every request
    select(Assessment)
    .where(Assessment.patient_id == bindparam("patient_id"))
    .order_by(Assessment.created_at.desc(), Assessment.id.desc())
    .limit(1)
)


def _latest(session: Session, patient_id: str) -> Assessment | None:
    """The patient's latest stored assessment (index ix_assessment_patient_latest)."""
    return session.execute(_LATEST, {"patient_id": patient_id}).scalar_one_or_none()


def run_assessment(
    session: Session,
    patient_id: str,
    *,
    as_of: date,
    payer: str,
    now: datetime,
    episode_id: int | None = None,
) -> Assessment:
    """Assess the stored record (no access check: callers hold a guard) and store the result:
    the patient's latest stored row when it holds exactly this result, else a new row."""
    if payer not in PAYERS:
        raise InputError(f"unknown payer {payer!r}", "payer", " or ".join(PAYERS))
    if as_of > now.date():
        raise InputError("as_of is in the future", "as_of", f"a date up to {now.date()}")
    knowledge = load_knowledge()
    texts = record_texts(session, patient_id)
    key = (patient_id, _fingerprint(texts), as_of, payer)
    document = DOCUMENTS.get(key, knowledge)
    if document is None:
        document = assess(bundle_from_texts(texts), as_of=as_of, payer=payer, knowledge=knowledge)
        DOCUMENTS.put(key, knowledge, document)
    latest = _latest(session, patient_id)
    if (
        latest is not None
        and latest.episode_id == episode_id
        and latest.as_of == as_of
        and latest.document == document
    ):
        return latest
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
