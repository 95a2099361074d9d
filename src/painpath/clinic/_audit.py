"""The audit log: one append-only row per access decision, and its FHIR AuditEvent form.

Rows carry ids only (user, patient, resource reference), never names or clinical values.
`record_alone` writes a row in a transaction of its own, after rolling back whatever the
refused or failed operation had begun, so that the decision outlives the rollback.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from painpath.clinic._principal import Principal, utcnow
from painpath.store import AuditEvent

__all__ = ["audit_event", "audit_json", "fhir_audit_event", "insert_audit", "record_alone"]

log = logging.getLogger("painpath.audit")

_FHIR_ACTION = {"create": "C", "read": "R", "update": "U", "delete": "D", "login": "E"}
_FHIR_OUTCOME = {"allowed": "0", "denied": "4", "error": "8"}
_OPERATION_SYSTEM = "https://painpath.dev/fhir/CodeSystem/operation"
_USER_SYSTEM = "https://painpath.dev/fhir/sid/user"


def audit_event(
    principal: Principal | None,
    action: str,
    resource: str,
    outcome: str,
    *,
    patient_id: str | None = None,
    detail: str | None = None,
    now: datetime | None = None,
    source_ip: str | None = None,
) -> AuditEvent:
    """A new (unsaved) audit row; `resource` is `operation [Type/id]`.

    `source_ip` is used when there is no principal (a failed login, no credentials).
    """
    address = principal.source_ip if principal else source_ip
    return AuditEvent(
        at=now or utcnow(),
        user_id=principal.user_id if principal else None,
        role=principal.role if principal else None,
        action=action,
        resource=resource[:200],
        patient_id=patient_id[:64] if patient_id else None,
        outcome=outcome,
        source_ip=address[:64] if address else None,
        detail=detail,
    )


_TABLE = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE)
_COLUMNS = tuple(c.key for c in _TABLE.columns if c.key != "id")


def insert_audit(session: Session, event: AuditEvent) -> None:
    """Insert `event` now, in the session's transaction, as one plain INSERT.

    The same row `session.add(event)` would write at the next flush, without the ORM's
    unit of work (a noticeable share of a read request's CPU). `event` itself is not
    added to the session: it stays a transient object and gets no id.
    """
    session.connection().execute(_INSERT, {key: getattr(event, key) for key in _COLUMNS})


def record_alone(session: Session, event: AuditEvent) -> None:
    """Roll back the session's open work, then commit the audit row by itself.

    A failure to write (the database is down) is logged with ids only and swallowed: the
    caller is already raising the error that explains what went wrong.
    """
    try:
        session.rollback()
        session.add(event)
        session.commit()
    except Exception as exc:  # the original error is re-raised by the caller
        session.rollback()
        log.error(
            "audit write failed (%s): user=%s resource=%s outcome=%s",
            type(exc).__name__,
            event.user_id,
            event.resource,
            event.outcome,
        )


def audit_json(row: AuditEvent) -> dict[str, Any]:
    """One audit row as plain JSON (the shape of `painpath audit --json` and `GET /audit`)."""
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "user_id": row.user_id,
        "role": row.role,
        "action": row.action,
        "resource": row.resource,
        "patient_id": row.patient_id,
        "outcome": row.outcome,
        "source_ip": row.source_ip,
        "detail": row.detail,
    }


def fhir_audit_event(row: AuditEvent) -> dict[str, Any]:
    """One audit row as a FHIR R4 AuditEvent (https://hl7.org/fhir/R4/auditevent.html).

    `type` is `rest` (audit-event-type) for data access and DICOM 110114 (user
    authentication) for logins; `outcome` 0 allowed, 4 denied (a minor failure), 8 error.
    """
    operation, _, target = row.resource.partition(" ")
    if row.action == "login":
        kind = {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110114"}
    else:
        kind = {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"}
    agent: dict[str, Any] = {"requestor": True}
    if row.user_id is not None:
        agent["who"] = {"identifier": {"system": _USER_SYSTEM, "value": str(row.user_id)}}
    if row.role:
        agent["role"] = [{"text": row.role}]
    if row.source_ip:
        agent["network"] = {"address": row.source_ip, "type": "2"}
    entities: list[dict[str, Any]] = []
    if row.patient_id:
        entities.append({"what": {"reference": f"Patient/{row.patient_id}"}})
    if target and target != f"Patient/{row.patient_id}":
        entities.append({"what": {"reference": target}})
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": str(row.id),
        "type": kind,
        "subtype": [{"system": _OPERATION_SYSTEM, "code": operation}],
        "action": _FHIR_ACTION.get(row.action, "E"),
        "recorded": row.at.isoformat(),
        "outcome": _FHIR_OUTCOME.get(row.outcome, "8"),
        "agent": [agent],
        "source": {"observer": {"display": "painpath"}},
    }
    if row.detail:
        event["outcomeDesc"] = row.detail
    if entities:
        event["entity"] = entities
    return event
