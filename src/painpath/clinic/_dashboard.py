"""The clinic dashboards from the store: pathway episodes and the latest outcome reports of the
acting user's clinic, aggregated (`painpath.reports.clinic_dashboard`) and charted.

Reads columns, not entities: per episode its opening day and the days of the funnel's events;
per report its small `summary`. Figures only: no names, no ids leave this module.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from painpath.clinic._guard import guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.knowledge import load_outcomes
from painpath.reports import (
    Dashboard,
    EpisodeFlow,
    OutcomeSummary,
    clinic_dashboard,
    dashboard_chart,
    summary_from_json,
)
from painpath.store import Episode, EpisodeEvent, OutcomeReport, Patient

__all__ = ["dashboard_chart_bytes", "dashboard_figures", "load_dashboard"]


def _flows(session: Session, clinic_id: int) -> list[EpisodeFlow]:
    spec = load_outcomes().dashboard
    stage_of = {s.event: s.id for s in spec.funnel}
    wanted = [*stage_of, spec.procedure_event]
    opened: dict[int, date] = {
        eid: at.date()
        for eid, at in session.execute(
            select(Episode.id, Episode.opened_at)
            .join(Patient, Patient.id == Episode.patient_id)
            .where(Patient.clinic_id == clinic_id)
        )
    }
    stages: dict[int, set[str]] = {eid: set() for eid in opened}
    first_procedure: dict[int, date] = {}
    rows = session.execute(
        select(EpisodeEvent.episode_id, EpisodeEvent.event, func.min(EpisodeEvent.at))
        .join(Episode, Episode.id == EpisodeEvent.episode_id)
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Patient.clinic_id == clinic_id, EpisodeEvent.event.in_(wanted))
        .group_by(EpisodeEvent.episode_id, EpisodeEvent.event)
    )
    for eid, event, at in rows:
        if event in stage_of:
            stages[eid].add(stage_of[event])
        if event == spec.procedure_event:
            # SQLite returns the aggregate as text: its first ten characters are the day
            day = at.date() if isinstance(at, datetime) else date.fromisoformat(str(at)[:10])
            first_procedure[eid] = day
    return [
        EpisodeFlow(frozenset(stages[eid]), day, first_procedure.get(eid))
        for eid, day in opened.items()
    ]


def _reports(session: Session, clinic_id: int) -> list[OutcomeSummary]:
    newest = (
        select(
            OutcomeReport.patient_id,
            OutcomeReport.index_procedure,
            func.max(OutcomeReport.version).label("v"),
        )
        .join(Patient, Patient.id == OutcomeReport.patient_id)
        .where(Patient.clinic_id == clinic_id)
        .group_by(OutcomeReport.patient_id, OutcomeReport.index_procedure)
        .subquery()
    )
    stmt = select(OutcomeReport.summary).join(
        newest,
        (OutcomeReport.patient_id == newest.c.patient_id)
        & (OutcomeReport.index_procedure == newest.c.index_procedure)
        & (OutcomeReport.version == newest.c.v),
    )
    return [summary_from_json(s) for s in session.scalars(stmt)]


def load_dashboard(session: Session, clinic_id: int, as_of: date) -> Dashboard:
    """The dashboard figures of one clinic (no access check: callers are guarded)."""
    return clinic_dashboard(
        _flows(session, clinic_id), _reports(session, clinic_id), load_outcomes(), as_of=as_of
    )


def dashboard_figures(
    session: Session,
    principal: Principal,
    *,
    operation: str = "dashboard.data",
    as_of: date | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """The acting user's clinic dashboard (operation: dashboard.page or dashboard.data)."""
    clock = now or utcnow()
    with guarded(session, principal, operation, now=clock) as guard:
        dash = load_dashboard(session, principal.clinic_id, as_of or clock.date())
        guard.detail = f"{dash.episodes} episodes"
    return dash


def dashboard_chart_bytes(
    session: Session,
    principal: Principal,
    name: str,
    *,
    fmt: str = "svg",
    as_of: date | None = None,
    now: datetime | None = None,
) -> bytes:
    """One dashboard chart of the acting user's clinic (SVG or PNG bytes)."""
    clock = now or utcnow()
    with guarded(session, principal, "dashboard.chart", target=name, now=clock):
        dash = load_dashboard(session, principal.clinic_id, as_of or clock.date())
        data = dashboard_chart(dash, name, fmt=fmt)
    return data
