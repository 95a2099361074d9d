"""Loading the demo clinic: staff, patients built from the shared data, and their episodes.

`load_demo` is idempotent: a database that already holds the demo clinic (found by name) is
left as it is. The clinic is created under a provisional name and renamed only once
everything is in, so an interrupted load is recognised (and reported) instead of being taken
for a finished one; the audit log is append-only, so such a half-loaded demo cannot be
removed, only started again in an empty database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from painpath.clinic import (
    HASHER,
    Principal,
    add_observation,
    audit_event,
    clinic_named,
    new_user,
    utcnow,
)
from painpath.demo._bundles import (
    VIGNETTE_AS_OF,
    find_shared,
    load_source,
    newest_date,
    rename_patient,
    shift_dates,
)
from painpath.demo._cast import CAST
from painpath.demo._outcomes import report_outcomes
from painpath.demo._story import Story
from painpath.demo._types import Member
from painpath.errors import ConflictError, StoreError
from painpath.store import Clinic, Episode, Patient, User, session_factory

__all__ = [
    "DEMO_CLINIC",
    "DEMO_PASSWORD",
    "DemoResult",
    "Login",
    "anchor_day",
    "demo_logins",
    "load_demo",
    "prepare_bundle",
]

DEMO_CLINIC = "painpath demo clinic"
_LOADING = f"{DEMO_CLINIC} (loading)"
DEMO_PASSWORD = "painpath-demo"
"""The one password of every demo account: public, for a demo database only."""

_STAFF = ("clinician", "coordinator", "admin")
_SYNTHEA_LEAD = timedelta(days=14)
"""A Synthea record's newest entry (the primary care visit that referred) lies this long
before the patient's demo assessment day."""


@dataclass(frozen=True)
class Login:
    """A demo account: email, role, the shared demo password, and the patient it belongs to."""

    email: str
    role: str
    patient_id: str | None = None
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class DemoResult:
    """What `load_demo` found or made: whether it loaded now, the accounts and the counts."""

    loaded: bool
    logins: tuple[Login, ...]
    patients: int
    states: dict[str, int]


def demo_logins() -> tuple[Login, ...]:
    """Every demo account: the staff first, then the patients who have a login."""
    staff = tuple(Login(f"{role}@demo.example", role) for role in _STAFF)
    patients = tuple(Login(m.login, "patient", m.patient_id) for m in CAST if m.login is not None)
    return staff + patients


def anchor_day(member: Member, today: date) -> date:
    """The member's reference day: the assessment day, or today when not yet assessed."""
    return today - timedelta(days=member.assessed or 0)


def prepare_bundle(member: Member, shared: Path, today: date) -> dict[str, Any]:
    """The member's Bundle: demo id and name, dates moved to the member's reference day.

    A vignette is moved so that its as-of date (2026-06-01) falls on the reference day; a
    Synthea record so that its newest entry falls `_SYNTHEA_LEAD` before it.
    """
    raw = load_source(shared, member.source)
    anchor = anchor_day(member, today)
    if member.source.startswith("vignette:"):
        days = (anchor - VIGNETTE_AS_OF).days
    else:
        days = (anchor - _SYNTHEA_LEAD - newest_date(raw)).days
    return rename_patient(shift_dates(raw, days), member.patient_id, member.given, member.family)


def _summary(session: Session, clinic_id: int, loaded: bool) -> DemoResult:
    rows = session.execute(
        select(Episode.state, func.count())
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Patient.clinic_id == clinic_id)
        .group_by(Episode.state)
    ).all()
    states = {str(state): int(count) for state, count in rows}
    patients = session.scalar(
        select(func.count()).select_from(Patient).where(Patient.clinic_id == clinic_id)
    )
    return DemoResult(loaded, demo_logins(), int(patients or 0), states)


def _check_free(session: Session) -> None:
    """Refuse before writing anything when a demo email or patient id is taken already."""
    emails = [login.email for login in demo_logins()]
    taken = session.scalar(select(User.email).where(User.email.in_(emails)).limit(1))
    if taken is not None:
        raise ConflictError("a demo account's email is taken", taken, "a database without it")
    ids = [m.patient_id for m in CAST]
    used = session.scalar(select(Patient.id).where(Patient.id.in_(ids)).limit(1))
    if used is not None:
        raise ConflictError("a demo patient id is taken", f"Patient/{used}", "a free id")


def _add_users(
    session: Session, clinic_id: int, logins: tuple[Login, ...], hasher: PasswordHasher
) -> dict[str, Principal]:
    """Create the accounts (audited as `painpath demo`); the principals by email."""
    made: dict[str, Principal] = {}
    for login in logins:
        user = new_user(
            session,
            email=login.email,
            password=login.password,
            role=login.role,
            clinic_id=clinic_id,
            patient_id=login.patient_id,
            hasher=hasher,
        )
        resource = f"user.create User/{user.id}"
        event = audit_event(
            None, "create", resource, "allowed", patient_id=login.patient_id, detail="painpath demo"
        )
        session.add(event)
        made[login.email] = Principal.of(user)
    session.commit()
    return made


def _backfill(session: Session, clinic_id: int, now: datetime) -> None:
    """Outcome reports for a demo clinic loaded before the demo made them (none otherwise)."""
    user = session.scalar(
        select(User).where(User.clinic_id == clinic_id, User.role == "clinician").limit(1)
    )
    if user is not None and report_outcomes(session, Principal.of(user), now):
        session.commit()


def load_demo(
    engine: Engine,
    *,
    shared: Path | str | None = None,
    now: datetime | None = None,
    hasher: PasswordHasher = HASHER,
) -> DemoResult:
    """Load the demo clinic into a migrated database, unless it is there already (then only
    the outcome reports an older demo lacks are added: `report_outcomes`).

    Args:
        engine: the database (the caller migrates it first).
        shared: the shared data folder (default: `find_shared()`).
        now: the demo's "now" (default: the real clock); the stories end at this moment.
        hasher: the argon2 hasher for the demo passwords (tests pass a cheap one).

    Raises InputError when the shared data is missing, StoreError when an earlier load was
    interrupted, ConflictError when a demo email or patient id is taken (nothing written),
    and whatever a service raises if a story no longer fits the pathway.
    """
    clock = now or utcnow()
    factory = session_factory(engine)
    with factory() as session:
        existing = session.scalar(select(Clinic).where(Clinic.name == DEMO_CLINIC))
        if existing is not None:
            _backfill(session, existing.id, clock)
            return _summary(session, existing.id, loaded=False)
        if session.scalar(select(Clinic.id).where(Clinic.name == _LOADING)) is not None:
            raise StoreError(
                "an earlier `painpath demo` was interrupted",
                _LOADING,
                "an empty database (remove the PAINPATH_HOME folder, or drop the database)",
            )
        _check_free(session)
    folder = find_shared(shared)
    bundles = [prepare_bundle(m, folder, clock.date()) for m in CAST]
    with factory() as session:
        clinic = clinic_named(session, _LOADING, create=True)
        logins = demo_logins()
        staff = _add_users(session, clinic.id, logins[: len(_STAFF)], hasher)
        clinician, coordinator = (staff[f"{role}@demo.example"] for role in _STAFF[:2])
        for member, bundle in zip(CAST, bundles, strict=True):
            story = Story(
                session, member, bundle, clinician=clinician, coordinator=coordinator, now=clock
            )
            story.tell()
        patients = _add_users(session, clinic.id, logins[len(_STAFF) :], hasher)
        for principal in patients.values():
            assert principal.patient_id is not None
            midnight = datetime.combine(clock.date(), datetime.min.time(), clock.tzinfo)
            reported = midnight - timedelta(hours=4)  # yesterday evening, from home
            add_observation(
                session, principal, principal.patient_id, kind="nrs", value=3, now=reported
            )
        report_outcomes(session, clinician, clock)
        clinic.name = DEMO_CLINIC
        session.commit()
        result = _summary(session, clinic.id, loaded=True)
    return result
