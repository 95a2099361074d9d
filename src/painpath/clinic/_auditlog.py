"""Reading the audit log: for admins through the API (itself audited), and for the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from painpath.clinic._audit import audit_json
from painpath.clinic._guard import guarded
from painpath.clinic._lists import Page, paginate
from painpath.clinic._principal import Principal
from painpath.errors import InputError
from painpath.store import AuditEvent

__all__ = ["AUDIT_SORTS", "audit_rows", "list_audit"]

AUDIT_SORTS = {"at": AuditEvent.at, "id": AuditEvent.id}
"""The fields `list_audit` sorts by."""

_OUTCOMES = ("allowed", "denied", "error")


def _query(patient_id: str | None, user_id: int | None, outcome: str | None) -> Select[Any]:
    stmt = select(AuditEvent)
    if patient_id is not None:
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if outcome is not None:
        if outcome not in _OUTCOMES:
            raise InputError(f"unknown outcome {outcome!r}", "outcome", " | ".join(_OUTCOMES))
        stmt = stmt.where(AuditEvent.outcome == outcome)
    return stmt


def list_audit(
    session: Session,
    principal: Principal,
    *,
    patient_id: str | None = None,
    user_id: int | None = None,
    outcome: str | None = None,
    sort: str = "-id",
    limit: int = 100,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """Audit events, newest first by default, filtered by patient, user and outcome."""
    with guarded(session, principal, "audit.list") as guard:
        guard.patient_id = patient_id
        page = paginate(
            session,
            _query(patient_id, user_id, outcome),
            sort=sort,
            sortable=AUDIT_SORTS,
            tiebreak=AuditEvent.id,
            limit=limit,
            offset=offset,
        )
        items = [audit_json(row) for row in page.items]
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)


def audit_rows(
    session: Session, *, patient_id: str | None = None, batch: int = 1000
) -> Iterator[AuditEvent]:
    """Every audit event in order (optionally one patient's), read in batches (CLI export)."""
    after = 0
    while True:
        stmt = _query(patient_id, None, None).where(AuditEvent.id > after)
        rows = session.scalars(stmt.order_by(AuditEvent.id).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id
