"""Audit rows for CDS Hooks calls: the EHR (its JWT issuer) as the actor, never a user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from painpath.clinic import audit_event
from painpath.store import AuditEvent, Clinic, Patient

__all__ = ["cds_audit", "patient_in_clinic", "write_audit"]

_COLUMNS = tuple(c.key for c in AuditEvent.__table__.columns if c.key != "id")


def cds_audit(
    service_id: str,
    outcome: str,
    *,
    patient_id: str | None,
    client: str | None,
    detail: str | None,
    now: datetime,
    source_ip: str | None,
) -> AuditEvent:
    """An (unsaved) audit row of one hook call: `read cds.<service> Patient/<id>`."""
    target = f" Patient/{patient_id}" if patient_id else ""
    who = f"client {client}" if client else "no client"
    event = audit_event(
        None,
        "read",
        f"cds.{service_id}{target}",
        outcome,
        patient_id=patient_id,
        detail=f"{who}; {detail}"[:500] if detail else who[:500],
        now=now,
        source_ip=source_ip,
    )
    event.role = "cds-client"
    return event


def patient_in_clinic(session: Session, patient_id: str, clinic: str) -> bool:
    """Whether painpath holds this patient for the clinic (so a chart link can open)."""
    stmt = (
        select(Patient.id)
        .join(Clinic, Clinic.id == Patient.clinic_id)
        .where(Patient.id == patient_id, Clinic.name == clinic)
    )
    return session.execute(stmt).first() is not None


def write_audit(session: Session, event: AuditEvent) -> None:
    """Insert the audit row in the session's transaction, as a plain INSERT (no ORM flush:
    on the hook path the flush cost more than the engine's assessment)."""
    session.execute(insert(AuditEvent), [{key: getattr(event, key) for key in _COLUMNS}])
