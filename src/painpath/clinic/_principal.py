"""Who is acting: the signed-in user as the services see it (no HTTP, no password)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from painpath.store import User

__all__ = ["ROLES", "Principal", "utcnow"]

ROLES = ("patient", "clinician", "coordinator", "admin")
"""Every role a user can hold; `_access.ACCESS` says what each may do."""


def utcnow() -> datetime:
    """The current instant, UTC-aware: the one clock the services read when none is given."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting user: id, role, clinic, the own patient (patients only) and the source address.

    `source_ip` is recorded in the audit log; the services never look it up themselves.
    """

    user_id: int | None
    role: str
    clinic_id: int
    patient_id: str | None = None
    source_ip: str | None = None

    @classmethod
    def of(cls, user: User, source_ip: str | None = None) -> Principal:
        """The principal of a stored user."""
        return cls(user.id, user.role, user.clinic_id, user.patient_id, source_ip)
