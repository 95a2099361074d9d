"""Persistence: SQLAlchemy 2 models, Alembic migrations, SQLite (default) or PostgreSQL."""

from painpath.store._models import (
    Assessment,
    AuditEvent,
    AuthToken,
    Base,
    Clinic,
    Document,
    Episode,
    EpisodeEvent,
    FhirResource,
    LoginAttempt,
    Patient,
    User,
)

__all__ = [
    "Assessment",
    "AuditEvent",
    "AuthToken",
    "Base",
    "Clinic",
    "Document",
    "Episode",
    "EpisodeEvent",
    "FhirResource",
    "LoginAttempt",
    "Patient",
    "User",
]
