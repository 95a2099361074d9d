"""Who may do what, as data: one row per operation (docs/access.md explains the choices).

Each operation names its audit action, the roles allowed and its scope:

- `patient`: the operation touches one patient's data. A patient acts only on their own
  record (`user.patient_id`); clinicians and coordinators act on their clinic's patients.
- `clinic`: the operation works inside the acting user's clinic (lists, imports, users).
- `self`: the operation concerns only the signed-in account (`GET /me`, logout).
- `public`: no sign-in needed (health, login); never touches patient data.

Admins manage accounts and read the audit log; they are deliberately given no clinical
operation (least privilege: an account administrator need not read records). Coordinators
run the front desk: intake, referrals, scheduling and documents, but no clinical writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ACCESS", "EVENT_ROLES", "PUBLIC", "Rule", "event_roles", "role_allowed"]

PUBLIC = "public"

_STAFF = frozenset({"clinician", "coordinator"})
_CARE = frozenset({"patient", "clinician", "coordinator"})
_PATIENT_CLINICIAN = frozenset({"patient", "clinician"})
_CLINICIAN = frozenset({"clinician"})
_ADMIN = frozenset({"admin"})
_CLINIC_LEADS = frozenset({"clinician", "admin"})  # clinic-wide aggregates, no record
_EVERYONE = frozenset({"patient", "clinician", "coordinator", "admin"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One operation: its audit action, the roles allowed, and whose data it touches."""

    action: str  # read | create | update | login
    roles: frozenset[str]
    scope: str  # patient | clinic | self | public

    @property
    def audited(self) -> bool:
        """Whether each decision on this operation writes an audit event (all but public)."""
        return self.scope != PUBLIC or self.action == "login"


ACCESS: Mapping[str, Rule] = {
    # signing in and the account itself
    "health": Rule("read", frozenset(), PUBLIC),
    "auth.token": Rule("login", frozenset(), PUBLIC),
    "auth.login": Rule("login", frozenset(), PUBLIC),
    "auth.logout": Rule("update", _EVERYONE, "self"),
    "account.me": Rule("read", _EVERYONE, "self"),
    # patients and their FHIR record
    "fhir.import": Rule("create", _STAFF, "clinic"),
    "patient.list": Rule("read", _STAFF, "clinic"),
    "patient.read": Rule("read", _CARE, "patient"),
    "patient.fhir": Rule("read", _CARE, "patient"),
    "patient.export": Rule("read", _CARE, "patient"),
    "assessment.run": Rule("create", _PATIENT_CLINICIAN, "patient"),
    "assessment.list": Rule("read", _CARE, "patient"),
    # the care pathway
    "episode.open": Rule("create", _STAFF, "patient"),
    "episode.list": Rule("read", _CARE, "patient"),
    "episode.read": Rule("read", _CARE, "patient"),
    "episode.transition": Rule("update", _STAFF, "patient"),
    "episode.events": Rule("read", _CARE, "patient"),
    # what happens in care: scores, procedures, questionnaires, documents
    "observation.create": Rule("create", _PATIENT_CLINICIAN, "patient"),
    "observation.list": Rule("read", _CARE, "patient"),
    "procedure.create": Rule("create", _CLINICIAN, "patient"),
    "questionnaire.create": Rule("create", _PATIENT_CLINICIAN, "patient"),
    "document.create": Rule("create", _CARE, "patient"),
    "document.list": Rule("read", _CARE, "patient"),
    "document.read": Rule("read", _CARE, "patient"),
    # outcomes: the block diary, relief duration, outcome measures, generated documents
    "diary.record": Rule("create", _PATIENT_CLINICIAN, "patient"),
    "relief.record": Rule("create", _PATIENT_CLINICIAN, "patient"),
    "complication.record": Rule("create", _CLINICIAN, "patient"),
    "outcome.compute": Rule("create", _CLINICIAN, "patient"),
    "outcome.read": Rule("read", _CARE, "patient"),
    "chart.patient": Rule("read", _CARE, "patient"),
    "document.generate": Rule("create", _STAFF, "patient"),
    "dashboard.page": Rule("read", _CLINIC_LEADS, "clinic"),
    "dashboard.data": Rule("read", _CLINIC_LEADS, "clinic"),
    "dashboard.chart": Rule("read", _CLINIC_LEADS, "clinic"),
    # administration
    "user.create": Rule("create", _ADMIN, "clinic"),
    "user.list": Rule("read", _ADMIN, "clinic"),
    "user.update": Rule("update", _ADMIN, "clinic"),
    "audit.list": Rule("read", _ADMIN, "clinic"),
}
"""operation name -> Rule. Every API route is named after its operation (tests check it)."""

EVENT_ROLES: Mapping[str, frozenset[str]] = {
    "schedule": _STAFF,
    "reschedule": _STAFF,
    "check-in": _STAFF,
    "cancel": _STAFF,
}
"""Pathway event -> roles that may fire it, for events coordinators may fire as well.

Any event not listed is a clinical step: clinicians only.
"""


def event_roles(event: str) -> frozenset[str]:
    """The roles that may fire one pathway event (clinicians always may)."""
    return EVENT_ROLES.get(event, _CLINICIAN)


def role_allowed(operation: str, role: str | None) -> bool:
    """Whether a role may attempt the operation at all (scope is checked separately)."""
    rule = ACCESS[operation]
    return rule.scope == PUBLIC or (role is not None and role in rule.roles)
