"""The clinic dashboards from the store: pathway episodes and the latest outcome reports of the
acting user's clinic, aggregated (`painpath.reports.clinic_dashboard`) and charted.

Reads columns, not entities: per episode its opening day and the days of the funnel's events;
per report its small `summary`. Figures only: no names, no ids leave this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import String, func, select, type_coerce
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


def _day(at: object) -> date:
    """The UTC day of a stored timestamp: a datetime (PostgreSQL) or its text (SQLite, where
    painpath stores UTC, so the first ten characters are the day)."""
    if isinstance(at, datetime):
        return (at.astimezone(UTC) if at.tzinfo else at).date()
    return date.fromisoformat(str(at)[:10])


def _flows(session: Session, clinic_id: int) -> list[EpisodeFlow]:
    spec = load_outcomes().dashboard
    stage_of = {s.event: s.id for s in spec.funnel}
    # Core on the session's connection, and the timestamp without its UTC type decorator:
    # the dashboard needs only the day, and 10,000 rows through the ORM and the decorator
    # cost more than the query.
    connection = session.connection()
    opened: dict[int, date] = {
        eid: _day(at)
        for eid, at in connection.execute(
            select(Episode.id, type_coerce(Episode.opened_at, String))
            .join(Patient, Patient.id == Episode.patient_id)
            .where(Patient.clinic_id == clinic_id)
        )
    }
    in_clinic = (
        select(EpisodeEvent.episode_id)
        .join(Episode, Episode.id == EpisodeEvent.episode_id)
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Patient.clinic_id == clinic_id)
    )
    stages: dict[int, set[str]] = {eid: set() for eid in opened}
    reached = connection.execute(
        in_clinic.add_columns(EpisodeEvent.event).where(EpisodeEvent.event.in_(list(stage_of)))
    )
    for eid, event in reached:
        stages[eid].add(stage_of[event])
    first_procedure = {
        eid: _day(at)
        for eid, at in connection.execute(
            in_clinic.add_columns(func.min(type_coerce(EpisodeEvent.at, String)))
            .where(EpisodeEvent.event == spec.procedure_event)
            .group_by(EpisodeEvent.episode_id)
        )
    }
    return [
        EpisodeFlow(frozenset(stages[eid]), day, first_procedure.get(eid))
        for eid, day in opened.items()
    ]


_SUMMARIES: dict[tuple[str, int], OutcomeSummary] = {}
"""Parsed report summaries by (database, row id). A report row is never changed (a new
computation adds a new version), so its parsed summary can be kept; only rows not seen yet
are read and parsed."""
_SUMMARIES_MAX = 200_000


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
    latest = select(OutcomeReport.id).join(
        newest,
        (OutcomeReport.patient_id == newest.c.patient_id)
        & (OutcomeReport.index_procedure == newest.c.index_procedure)
        & (OutcomeReport.version == newest.c.v),
    )
    database = str(session.get_bind().engine.url)
    ids = list(session.scalars(latest))
    missing = [i for i in ids if (database, i) not in _SUMMARIES]
    if len(_SUMMARIES) + len(missing) > _SUMMARIES_MAX:
        _SUMMARIES.clear()
        missing = ids
    for start in range(0, len(missing), 900):
        chunk = missing[start : start + 900]
        stmt = select(OutcomeReport.id, OutcomeReport.summary).where(OutcomeReport.id.in_(chunk))
        for rid, summary in session.execute(stmt):
            _SUMMARIES[(database, rid)] = summary_from_json(summary)
    return [_SUMMARIES[(database, i)] for i in ids]


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
