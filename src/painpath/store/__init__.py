"""Persistence: SQLAlchemy 2 models, Alembic migrations, SQLite (default) or PostgreSQL.

engine = make_engine()              # PAINPATH_DATABASE_URL, else $PAINPATH_HOME/painpath.db
upgrade(engine)                     # Alembic `upgrade head`, migrations shipped inside
Session = session_factory(engine)
with transaction(Session) as session:   # commit, or roll back; stale version -> 409
    ...
backup(engine, "clinic.jsonl.gz"); restore(empty_engine, "clinic.jsonl.gz")
"""

from painpath.store._backup import BackupError, backup, backup_header, restore
from painpath.store._db import (
    commit,
    database_url,
    json_loads,
    lookup_engine,
    make_engine,
    normalise_url,
    session_factory,
    transaction,
)
from painpath.store._migrate import current_revision, downgrade, head_revision, upgrade
from painpath.store._models import (
    Assessment,
    AuditEvent,
    AuthToken,
    Base,
    CdsFeedback,
    Clinic,
    Document,
    Episode,
    EpisodeEvent,
    FhirResource,
    LoginAttempt,
    OutcomeReport,
    Patient,
    StoredChart,
    User,
)
from painpath.store._types import UTCDateTime

__all__ = [
    "Assessment",
    "AuditEvent",
    "AuthToken",
    "BackupError",
    "Base",
    "CdsFeedback",
    "Clinic",
    "Document",
    "Episode",
    "EpisodeEvent",
    "FhirResource",
    "LoginAttempt",
    "OutcomeReport",
    "Patient",
    "StoredChart",
    "UTCDateTime",
    "User",
    "backup",
    "backup_header",
    "commit",
    "current_revision",
    "database_url",
    "downgrade",
    "head_revision",
    "json_loads",
    "lookup_engine",
    "make_engine",
    "normalise_url",
    "restore",
    "session_factory",
    "transaction",
    "upgrade",
]
