"""A small clinic world for service and API tests: two clinics, every role, three patients.

Clinic A has a patient user (own record `pt-own`), a clinician, a coordinator and an admin,
and a second patient `pt-other`; clinic B has a clinician and `pt-elsewhere`. Passwords use
a cheap argon2 profile so that signing in stays fast in tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from painpath.clinic import Principal, clinic_named, issue_token, new_user
from painpath.store import AuditEvent, FhirResource, Patient, User, session_factory

VIGNETTES = Path(__file__).resolve().parents[3] / "shared" / "vignettes"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A settable clock: `clock()` is now; `advance(...)` moves it on."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def vignette(name: str) -> dict[str, Any]:
    """A shared vignette Bundle by name (`radicular-ready`)."""
    data: dict[str, Any] = json.loads((VIGNETTES / f"{name}.bundle.json").read_text())
    return data


def patient_bundle(patient_id: str, *, family: str = "Doe") -> dict[str, Any]:
    """The smallest importable Bundle: one Patient."""
    patient = {
        "resourceType": "Patient",
        "id": patient_id,
        "gender": "female",
        "birthDate": "1961-02-03",
        "name": [{"family": family, "given": ["Ann"]}],
    }
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}


@dataclass
class World:
    """The ids, users and principals of the test clinics."""

    engine: Engine
    clock: Clock
    users: dict[str, User] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)
    clinic_a: int = 0
    clinic_b: int = 0

    def session(self) -> Session:
        return session_factory(self.engine)()

    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, who: str, *, fresh: bool = False) -> str:
        """A bearer token for one of the users (issued once unless `fresh`; no password)."""
        if not fresh and who in self.tokens:
            return self.tokens[who]
        with self.session() as session:
            user = session.get(User, self.users[who].id)
            assert user is not None
            secret, _ = issue_token(session, user, now=self.clock())
            session.commit()
        self.tokens[who] = secret
        return secret

    def headers(self, who: str, *, fresh: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who, fresh=fresh)}"}

    def audit_count(self) -> int:
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    def audit_after(self, last_id: int) -> list[AuditEvent]:
        with self.session() as session:
            stmt = select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            return list(session.scalars(stmt))

    def last_audit_id(self) -> int:
        with self.session() as session:
            return int(session.scalar(select(func.max(AuditEvent.id))) or 0)


def _add_patient(session: Session, clinic_id: int, patient_id: str, family: str) -> None:
    """A stored patient whose record is one Patient resource (as an import would leave it)."""
    now = START
    resource = patient_bundle(patient_id, family=family)["entry"][0]["resource"]
    session.add(
        Patient(
            id=patient_id,
            clinic_id=clinic_id,
            display_name=f"Ann {family}",
            birth_date=date(1961, 2, 3),
            gender="female",
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    session.add(
        FhirResource(
            patient_id=patient_id,
            resource_type="Patient",
            resource_id=patient_id,
            resource=resource,
            source="import",
            created_at=now,
        )
    )


def make_world(engine: Engine, clock: Clock) -> World:
    """Create the clinics, patients and users (see the module docstring), in one transaction."""
    world = World(engine, clock)
    with world.session() as session:
        a = clinic_named(session, "Clinic A", create=True)
        b = clinic_named(session, "Clinic B", create=True)
        world.clinic_a, world.clinic_b = a.id, b.id
        _add_patient(session, a.id, "pt-own", "Own")
        _add_patient(session, a.id, "pt-other", "Other")
        _add_patient(session, b.id, "pt-elsewhere", "Elsewhere")
        staff = {
            "clinician": a.id,
            "coordinator": a.id,
            "admin": a.id,
            "clinician-b": b.id,
            "seed-a": a.id,
            "seed-b": b.id,
        }
        for name, clinic_id in staff.items():
            role = "clinician" if name.startswith(("seed", "clinician")) else name
            world.users[name] = new_user(
                session,
                email=f"{name}@example.org",
                password=PASSWORD,
                role=role,
                clinic_id=clinic_id,
                hasher=FAST,
                now=clock(),
            )
        world.users["patient"] = new_user(
            session,
            email="patient@example.org",
            password=PASSWORD,
            role="patient",
            clinic_id=a.id,
            patient_id="pt-own",
            hasher=FAST,
            now=clock(),
        )
        session.commit()
        world.principals = {k: Principal.of(u, "192.0.2.1") for k, u in world.users.items()}
    return world
