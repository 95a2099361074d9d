"""The dashboards of the demo clinic, from the store, once its treated patients have outcome
reports."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from clinic._world import FAST
from painpath.clinic import Principal, compute_outcomes, load_dashboard
from painpath.demo import DEMO_CLINIC, load_demo
from painpath.errors import InputError
from painpath.reports import DASHBOARD_CHARTS, dashboard_chart
from painpath.store import Clinic, Episode, Patient, User, session_factory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_the_demo_clinic_dashboard_renders_with_outcomes(db_engine: Engine) -> None:
    load_demo(db_engine, hasher=FAST, now=NOW)
    with session_factory(db_engine)() as session:
        clinic = session.scalar(select(Clinic).where(Clinic.name == DEMO_CLINIC))
        assert clinic is not None
        clinician = session.scalar(
            select(User).where(User.clinic_id == clinic.id, User.role == "clinician")
        )
        assert clinician is not None
        who = Principal.of(clinician, "192.0.2.1")
        treated = 0
        for pid in session.scalars(select(Patient.id).where(Patient.clinic_id == clinic.id)):
            try:
                compute_outcomes(session, who, pid, as_of=NOW.date(), now=NOW)
                treated += 1
            except InputError:  # no interventional procedure in this record
                continue
        episodes = session.scalar(
            select(func.count())
            .select_from(Episode)
            .join(Patient)
            .where(Patient.clinic_id == clinic.id)
        )
        dash = load_dashboard(session, clinic.id, NOW.date())
    assert treated > 0
    assert dash.episodes == episodes and dash.funnel[0][2] == episodes
    assert sum(p["episodes"] for p in dash.by_procedure.values()) == treated
    for name in DASHBOARD_CHARTS:
        assert dashboard_chart(dash, name).startswith(b"<?xml")
