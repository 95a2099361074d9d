"""A small clinic with a row in every table and every kind of value, and a way to compare."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, insert, select

from painpath.store import (
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
    current_revision,
    session_factory,
)

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=IST)  # 2026-03-28T20:00:15.123456Z
LOGIN_ATTEMPTS = 600  # more than one restore batch (500 rows)
JSON_DOC: dict[str, Any] = {
    "resourceType": "Observation",
    "valueQuantity": {"value": 0.1, "unit": "mg"},
    "big": 2**53 + 1,
    "nested": [1, [2, [3, None]], {"ok": True, "no": False}],
    "text": 'Ñandú — ✓ \u0000 "quoted" \\ back',
    "empty": {},
}


def fill(engine: Engine) -> None:
    """Insert the sample clinic (commits)."""
    with session_factory(engine)() as s:
        s.add_all([Clinic(id=1, name="North"), Clinic(id=2, name="Süd Klinik ✓")])
        s.flush()
        s.add_all(
            [
                Patient(
                    id="p-1",
                    clinic_id=1,
                    display_name="Ana Ñ",
                    birth_date=date(1961, 2, 3),
                    gender="female",
                    created_at=T0,
                    updated_at=T0 + timedelta(days=1),
                ),
                Patient(id="p-2", clinic_id=2, created_at=T0, updated_at=T0),
            ]
        )
        s.flush()
        staff = User(
            email="doc@example.org",
            password_hash="$argon2id$v=19$m=65536,t=3,p=4$abc",
            role="clinician",
            clinic_id=1,
            created_at=T0,
        )
        s.add_all(
            [
                staff,
                User(
                    email="ana@example.org",
                    password_hash="x",
                    role="patient",
                    clinic_id=1,
                    patient_id="p-1",
                    active=False,
                    created_at=datetime(2026, 1, 1, tzinfo=UTC),
                ),
            ]
        )
        s.flush()
        s.add(
            AuthToken(
                token_hash="a" * 64,
                kind="session",
                user_id=staff.id,
                csrf_token="c" * 64,
                created_at=T0,
                expires_at=T0 + timedelta(hours=8),
                revoked=True,
            )
        )
        s.add(
            FhirResource(
                patient_id="p-1",
                resource_type="Observation",
                resource_id="obs-1",
                resource=JSON_DOC,
                source="import",
                created_at=T0,
            )
        )
        episode = Episode(patient_id="p-1", state="referral", data={}, opened_at=T0, updated_at=T0)
        s.add(episode)
        s.flush()
        episode.state = "consultation"
        episode.data = {"consultation": {"history": "L4-5", "scores": [7, 6.5]}}
        s.flush()  # version 2
        s.add(
            EpisodeEvent(
                episode_id=episode.id,
                event="consult",
                from_state="referral",
                to_state="consultation",
                data={"note": None},
                user_id=staff.id,
                at=T0,
            )
        )
        s.add(
            Assessment(
                patient_id="p-1",
                episode_id=episode.id,
                as_of=date(2026, 6, 1),
                knowledge_version="2026.1",
                status="refer-interventional",
                document={"status": "refer-interventional", "options": []},
                created_at=T0,
            )
        )
        s.add(
            Document(
                patient_id="p-1",
                title="Consent",
                content_type="application/pdf",
                content=bytes(range(256)) * 3,
                created_at=T0,
                created_by=staff.id,
            )
        )
        s.add_all(
            [
                AuditEvent(at=T0, action="read", resource="GET /patients/{id}", outcome="allowed"),
                AuditEvent(
                    at=T0,
                    user_id=staff.id,
                    role="clinician",
                    action="update",
                    resource="POST /episodes/{id}/transitions",
                    patient_id="p-1",
                    outcome="denied",
                    source_ip="2001:db8::1",
                    detail="stale version",
                ),
            ]
        )
        s.commit()
        s.execute(
            insert(LoginAttempt),
            [
                {"key": f"email:user{i}@example.org", "at": T0 + timedelta(seconds=i)}
                for i in range(LOGIN_ATTEMPTS)
            ],
        )
        s.commit()


def dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary-key order, as Python values."""
    with engine.connect() as connection:
        return {
            t.name: [
                dict(r)
                for r in connection.execute(select(t).order_by(*t.primary_key.columns)).mappings()
            ]
            for t in Base.metadata.sorted_tables
        }


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    return {name: len(rows) for name, rows in dump(engine).items()}


@contextmanager
def at_revision(engine: Engine, revision: str | None) -> Iterator[None]:
    """Pretend the database is at `revision` (None: never migrated); put it back after."""
    head = current_revision(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM alembic_version")
        if revision:
            connection.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{revision}')")
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM alembic_version")
            connection.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{head}')")
