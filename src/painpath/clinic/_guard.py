"""Running one operation: access check, one transaction, and an audit row whatever happens.

    with guarded(session, principal, "episode.read", target=f"Episode/{id}") as guard:
        episode = ...                       # look up what the operation names
        guard.patient(episode.patient_id)   # scope check: own patient / own clinic
        ...                                 # the work; commit happens on exit

On success the `allowed` audit row commits with the work. A refusal (`AccessDenied`)
or any failure rolls everything back and then commits a `denied` / `error` row alone.
A stale version caught by the database (`StaleDataError`) becomes `ConflictError`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from painpath.clinic._access import ACCESS, PUBLIC, role_allowed
from painpath.clinic._audit import audit_event, insert_audit, record_alone
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import AccessDenied, ConflictError, NotFound, PainpathError
from painpath.store import Patient

__all__ = ["Guard", "guarded"]

log = logging.getLogger("painpath.clinic")

# Built once: SQLAlchemy then reuses the statement's cache key instead of computing it again
# on every request (a visible share of a read's CPU).
_PATIENT = select(Patient).where(Patient.id == bindparam("patient_id"))


class Guard:
    """The state of one guarded operation: what it touches and whether scope was checked."""

    def __init__(
        self, session: Session, principal: Principal, operation: str, target: str | None
    ) -> None:
        self.session = session
        self.principal = principal
        self.operation = operation
        self.target = target
        self.patient_id: str | None = None
        self.detail: str | None = None
        self.scope_checked = ACCESS[operation].scope != "patient"

    @property
    def resource(self) -> str:
        """The audit `resource`: the operation, then the reference it acted on."""
        return f"{self.operation} {self.target}" if self.target else self.operation

    def patient(self, patient_id: str) -> Patient:
        """The patient row, once the principal may act on it; else AccessDenied / NotFound.

        A patient may act on their own record only; staff on their own clinic's patients.
        """
        self.patient_id = patient_id
        who = self.principal
        if who.role == "patient" and who.patient_id != patient_id:
            raise AccessDenied(
                "a patient may act on their own record only", f"Patient/{patient_id}"
            )
        row = self.session.execute(_PATIENT, {"patient_id": patient_id}).scalar_one_or_none()
        if row is None:
            raise NotFound("no such patient", f"Patient/{patient_id}")
        if row.clinic_id != who.clinic_id:
            raise AccessDenied("the patient belongs to another clinic", f"Patient/{patient_id}")
        self.scope_checked = True
        return row


def _failure_detail(exc: BaseException) -> str:
    if isinstance(exc, PainpathError):
        where = f" at {exc.where}" if exc.where else ""
        return f"{type(exc).__name__}{where}"[:500]
    return type(exc).__name__


@contextmanager
def guarded(
    session: Session,
    principal: Principal,
    operation: str,
    *,
    target: str | None = None,
    patient_id: str | None = None,
    now: datetime | None = None,
) -> Iterator[Guard]:
    """Run one operation as one audited transaction (see the module docstring).

    `patient_id` names the patient up front when the caller knows it, so that even a
    refusal by role records whose data was asked for.
    """
    rule = ACCESS[operation]
    guard = Guard(session, principal, operation, target)
    guard.patient_id = patient_id
    when = now or utcnow()

    def alone(outcome: str, detail: str) -> None:
        event = audit_event(
            principal,
            rule.action,
            guard.resource,
            outcome,
            patient_id=guard.patient_id,
            detail=detail,
            now=when,
        )
        record_alone(session, event)

    try:
        if not role_allowed(operation, principal.role):
            raise AccessDenied(f"the {principal.role} role may not do this", operation)
        yield guard
        if not guard.scope_checked:  # a programming error, never a user's
            raise RuntimeError(f"{operation} finished without checking the patient")
        if rule.scope != PUBLIC:
            insert_audit(
                session,
                audit_event(
                    principal,
                    rule.action,
                    guard.resource,
                    "allowed",
                    patient_id=guard.patient_id,
                    detail=guard.detail,
                    now=when,
                ),
            )
        session.commit()
    except AccessDenied as exc:
        alone("denied", exc.what)
        log.info("denied: user=%s operation=%s", principal.user_id, operation)
        raise
    except StaleDataError:
        alone("error", "ConflictError: stale version")
        raise ConflictError(
            "changed by someone else in the meantime", guard.target, "the current version"
        ) from None
    except Exception as exc:
        alone("error", _failure_detail(exc))
        if not isinstance(exc, PainpathError):
            name = type(exc).__name__
            log.error("failed: user=%s operation=%s (%s)", principal.user_id, operation, name)
        raise
