"""The API's typed request and response bodies (published in `/openapi.json`).

FHIR resources and the `painpath.assessment/v1` document pass through as JSON objects:
their own specifications (FHIR R4, `schemas/assessment-v1.schema.json`) describe them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "AssessmentOut",
    "AuditOut",
    "DocumentOut",
    "EpisodeEventOut",
    "EpisodeOpen",
    "EpisodeOut",
    "ErrorBody",
    "ErrorDetail",
    "EventField",
    "Health",
    "ImportResult",
    "LoginOut",
    "NextEvent",
    "ObservationIn",
    "PageOut",
    "PatientOut",
    "ProcedureIn",
    "TokenOut",
    "TransitionIn",
    "UserIn",
    "UserOut",
    "UserUpdate",
]

T = TypeVar("T")

Role = Literal["patient", "clinician", "coordinator", "admin"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Out):
    """What went wrong, where (a field, JSON path or `Type/id element`), in one line."""

    code: str
    message: str
    field: str | None = None


class ErrorBody(_Out):
    """Every error response: `{"error": {"code", "message", "field"}}`."""

    error: ErrorDetail


class PageOut(_Out, Generic[T]):
    """One page of a list: `next_offset` is the offset of the next page, or null."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class Health(_Out):
    """The service answers and its database is reachable."""

    status: Literal["ok"]


class TokenOut(_Out):
    """An OAuth2 bearer token (RFC 6750); send it as `Authorization: Bearer <token>`."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserOut(_Out):
    """An account (never its password hash)."""

    id: int
    email: str
    role: Role
    clinic_id: int
    patient_id: str | None
    active: bool
    created_at: datetime


class LoginOut(_Out):
    """A web session was started (cookie set); send `csrf_token` as `X-CSRF-Token` on writes."""

    csrf_token: str
    expires_at: datetime
    user: UserOut


class UserIn(_In):
    """A new account in the admin's clinic; a patient account names its patient."""

    email: str = Field(max_length=320)
    password: str = Field(min_length=12, max_length=1024)
    role: Role
    patient_id: str | None = Field(default=None, max_length=64)


class UserUpdate(_In):
    """Activate or deactivate an account (deactivating signs it out everywhere)."""

    active: bool


class ImportResult(_Out):
    """The imported patient's id (the Bundle's Patient.id)."""

    patient_id: str


class PatientOut(_Out):
    """A patient: demographics, the states of their episodes, the latest assessment status."""

    id: str
    display_name: str | None
    birth_date: date | None
    gender: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    episode_states: list[str]
    latest_status: str | None


class AssessmentOut(_Out):
    """A stored assessment and its `painpath.assessment/v1` document."""

    id: int
    patient_id: str
    episode_id: int | None
    as_of: date
    knowledge_version: str
    status: str
    created_at: datetime
    document: dict[str, Any]


class EventField(_Out):
    """One payload field of an event: its type, whether required, what it expects."""

    name: str
    type: str
    required: bool
    label: str | None
    expected: str
    values: list[str] | None


class NextEvent(_Out):
    """An event that may follow; `permitted` says whether the caller's role may fire it."""

    name: str
    label: str
    to_state: str
    permitted: bool
    guards: list[str]
    fields: list[EventField]


class EpisodeOut(_Out):
    """An episode of care: its state, recorded data, version and what may happen next."""

    id: int
    patient_id: str
    state: str
    terminal: bool
    data: dict[str, Any]
    opened_at: datetime
    updated_at: datetime
    version: int
    next_events: list[NextEvent]


class EpisodeOpen(_In):
    """Open an episode with its referral (fields: see the opening event in the pathway)."""

    payload: dict[str, Any]


class TransitionIn(_In):
    """Move an episode by one event; `version` is the episode version the client last saw.

    For `assess`, the payload may hold `as_of` (YYYY-MM-DD) and `payer`; the server runs
    the engine and records the stored assessment.
    """

    event: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict)
    version: int = Field(ge=0, le=2**31 - 1)


class EpisodeEventOut(_Out):
    """One recorded move of an episode."""

    id: int
    event: str
    from_state: str | None
    to_state: str
    data: dict[str, Any]
    user_id: int | None
    at: datetime


class ObservationIn(_In):
    """A pain score (`nrs`, 0-10) or a percent relief (0-100, `part_of` a stored Procedure)."""

    kind: Literal["nrs", "percent-relief"]
    value: float = Field(allow_inf_nan=False)
    effective: AwareDatetime | None = None
    part_of: str | None = Field(default=None, max_length=80)


class ProcedureIn(_In):
    """A performed procedure: its CPT code and when it was performed."""

    cpt: str = Field(max_length=10)
    performed: AwareDatetime
    display: str | None = Field(default=None, max_length=200)


class DocumentOut(_Out):
    """A stored document's metadata; `GET /documents/{id}` returns its bytes."""

    id: int
    patient_id: str
    title: str
    content_type: str
    size: int
    created_at: datetime
    created_by: int | None


class AuditOut(_Out):
    """One audit event: who, role, action, resource, patient, outcome, from where, when."""

    id: int
    at: datetime
    user_id: int | None
    role: str | None
    action: str
    resource: str
    patient_id: str | None
    outcome: str
    source_ip: str | None
    detail: str | None
