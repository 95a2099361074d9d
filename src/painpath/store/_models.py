"""The clinic's tables (SQLAlchemy 2, typed declarative). Alembic migrations create them.

One schema for SQLite and PostgreSQL: portable column types only (JSON, Text, String,
Integer, DateTime with timezone, LargeBinary). Every table that a user edits concurrently
carries a `version` column for optimistic locking (a stale write is refused, HTTP 409).
Audit rows are append-only (database triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from painpath.store._types import UTCDateTime

__all__ = [
    "Assessment",
    "AuditEvent",
    "AuthToken",
    "Base",
    "CdsFeedback",
    "Clinic",
    "Document",
    "Episode",
    "EpisodeEvent",
    "FhirResource",
    "LoginAttempt",
    "Patient",
    "StoredChart",
    "User",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TZDateTime = UTCDateTime()  # DateTime(timezone=True); read back UTC-aware on SQLite too


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: TZDateTime}


class Clinic(Base):
    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(Base):
    """A person who signs in: patient, clinician, coordinator or admin."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # patient | clinician | coordinator | admin
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patient.id"), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class AuthToken(Base):
    """A bearer token or a web session; only the SHA-256 of the secret is stored."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # bearer | session
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    csrf_token: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    """Failed logins, for rate limiting across workers (kept in the database, not memory)."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)  # e.g. "email:..." or "ip:..."
    at: Mapped[datetime] = mapped_column(index=True)


class Patient(Base):
    """A patient of the clinic; `id` is the FHIR Patient id of the imported record."""

    __tablename__ = "patient"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200), default=None)
    birth_date: Mapped[date | None] = mapped_column(Date, default=None)
    gender: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads a dict


class FhirResource(Base):
    """One FHIR R4 resource of a patient's record, stored as JSON (the engine reads these)."""

    __tablename__ = "fhir_resource"
    __table_args__ = (UniqueConstraint("patient_id", "resource_type", "resource_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    resource: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(String(20))  # import | api | pathway
    created_at: Mapped[datetime]


class Episode(Base):
    """One episode of care on the pathway (referral -> ... -> discharge)."""

    __tablename__ = "episode"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    state: Mapped[str] = mapped_column(String(40), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # per-stage records
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads a dict


class EpisodeEvent(Base):
    """One pathway transition, as it happened (who, when, from, to, what was recorded)."""

    __tablename__ = "episode_event"
    __table_args__ = (
        # The clinic dashboards read (episode, event, when) only (migration 0004_outcomes).
        Index("ix_episode_event_episode_event_at", "episode_id", "event", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    at: Mapped[datetime]


class Assessment(Base):
    """An engine output, stored with its knowledge version and as-of date."""

    __tablename__ = "assessment"

    __table_args__ = (
        # The latest assessment of a patient (migration 0002_assessment_latest).
        Index("ix_assessment_patient_latest", "patient_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episode.id"), default=None)
    as_of: Mapped[date] = mapped_column(Date)
    knowledge_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Document(Base):
    """A document of a patient's care (generated or uploaded)."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)


class OutcomeReport(Base):
    """One computed version of an episode's outcome measures (migration 0004_outcomes).

    Each computation adds a row with the next `version` for its (patient, index procedure):
    earlier versions stay, so a report can always be traced to what was known when.
    """

    __tablename__ = "outcome_report"
    __table_args__ = (
        UniqueConstraint("patient_id", "index_procedure", "version"),
        Index("ix_outcome_report_procedure", "procedure"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episode.id"), default=None)
    index_procedure: Mapped[str] = mapped_column(String(100))
    procedure: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    knowledge_version: Mapped[str] = mapped_column(String(40))
    body: Mapped[dict[str, Any]]
    summary: Mapped[dict[str, Any]]  # the few fields the clinic dashboards read
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)


class AuditEvent(Base):
    """Append-only: every read and write of patient data, allowed or denied."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(Integer, default=None)  # no FK: survives users
    role: Mapped[str | None] = mapped_column(String(20), default=None)
    action: Mapped[str] = mapped_column(String(20))  # read | create | update | delete | login
    resource: Mapped[str] = mapped_column(String(200))  # e.g. "GET /patients/{id}/assessment"
    patient_id: Mapped[str | None] = mapped_column(String(64), default=None)
    outcome: Mapped[str] = mapped_column(String(20))  # allowed | denied | error
    source_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[str | None] = mapped_column(Text, default=None)


class CdsFeedback(Base):
    """What a clinician did with a CDS Hooks card: accepted (which suggestions) or overridden
    (the reason and comment), as the EHR reported it to the feedback endpoint."""

    __tablename__ = "cds_feedback"
    __table_args__ = (Index("ix_cds_feedback_card", "card_uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime]
    client: Mapped[str] = mapped_column(String(200))  # the EHR's JWT issuer
    service_id: Mapped[str] = mapped_column(String(64))
    card_uuid: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))  # accepted | overridden
    outcome_at: Mapped[datetime]
    accepted_suggestions: Mapped[dict[str, Any]]  # {"ids": [suggestion uuid, ...]}
    reason_system: Mapped[str | None] = mapped_column(String(200), default=None)
    reason_code: Mapped[str | None] = mapped_column(String(100), default=None)
    reason_display: Mapped[str | None] = mapped_column(String(200), default=None)
    user_comment: Mapped[str | None] = mapped_column(Text, default=None)


class StoredChart(Base):
    """A drawn chart kept under the digest of what it shows (migration 0006_stored_chart).

    The clinic's dashboard charts and patients' trajectory charts are stored by the first view
    of their figures and served by key from then on, by any worker. A key names the chart's
    inputs, so a chart of other figures is never found under it; rows are a cache (losing
    them only means drawing again), and only the newest few per clinic, chart and patient are
    kept.
    """

    __tablename__ = "stored_chart"
    __table_args__ = (
        UniqueConstraint("clinic_id", "key"),
        Index("ix_stored_chart_clinic_name", "clinic_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patient.id"), default=None)
    name: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
