"""The clinic dashboards from the store: pathway episodes and the latest outcome reports of the
acting user's clinic, aggregated (`painpath.reports.dashboard_from_counts`) and charted. The
charts are kept in `stored_chart` under the key of their figures (`_chartstore`): stored by
the page view that first shows those figures, read by key by the page's chart links.

The database counts the funnel and pairs each treated episode's referral and first procedure
day; per report only its small `summary` is read (and kept parsed, as a row never changes).
Figures only: no names, no ids leave this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import String, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from painpath.clinic._chartstore import find_charts, store_chart
from painpath.clinic._guard import guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import InputError
from painpath.knowledge import load_outcomes
from painpath.reports import (
    DASHBOARD_CHARTS,
    Dashboard,
    OutcomeSummary,
    dashboard_chart,
    dashboard_chart_key,
    dashboard_from_counts,
    summary_from_json,
)
from painpath.store import Episode, EpisodeEvent, OutcomeReport, Patient, json_loads

__all__ = ["dashboard_chart_bytes", "dashboard_figures", "dashboard_view", "load_dashboard"]


def _day(at: object) -> date:
    """The UTC day of a stored timestamp: a datetime (PostgreSQL) or its text (SQLite, where
    painpath stores UTC, so the first ten characters are the day)."""
    if isinstance(at, datetime):
        return (at.astimezone(UTC) if at.tzinfo else at).date()
    return date.fromisoformat(str(at)[:10])


def _episodes(session: Session, clinic_id: int) -> tuple[int, dict[str, int], list[int]]:
    """(episodes, episodes per funnel stage, days referral -> first procedure day), counted
    by the database: the funnel reads the events index alone (0004_outcomes)."""
    spec = load_outcomes().dashboard
    stage_of = {s.event: s.id for s in spec.funnel}
    connection = session.connection()
    of_clinic = (
        select(Episode.id)
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Patient.clinic_id == clinic_id)
    )
    total = connection.execute(select(func.count()).select_from(of_clinic.subquery())).scalar()
    reached: dict[str, int] = {}
    counts = connection.execute(
        select(EpisodeEvent.event, func.count(func.distinct(EpisodeEvent.episode_id)))
        .where(EpisodeEvent.episode_id.in_(of_clinic), EpisodeEvent.event.in_(list(stage_of)))
        .group_by(EpisodeEvent.event)
    )
    for event, n in counts:
        reached[stage_of[event]] = int(n)
    # The timestamps without their UTC type decorator: only the day is needed, and thousands
    # of rows through the decorator cost more than the query.
    first = (
        select(EpisodeEvent.episode_id, func.min(type_coerce(EpisodeEvent.at, String)).label("at"))
        .where(EpisodeEvent.episode_id.in_(of_clinic), EpisodeEvent.event == spec.procedure_event)
        .group_by(EpisodeEvent.episode_id)
        .subquery()
    )
    rows = connection.execute(
        select(type_coerce(Episode.opened_at, String), first.c.at).join(
            first, first.c.episode_id == Episode.id
        )
    )
    days = [(_day(at) - _day(opened)).days for opened, at in rows]
    return int(total or 0), reached, days


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
    if missing:
        # The summaries as text, parsed here: without the JSON type's row processing, which
        # costs more than the parse when a worker first reads thousands of them.
        text = cast(OutcomeReport.summary, Text)
        stmt = select(OutcomeReport.id, text)
        if len(missing) < len(ids):  # a few new reports: by id (chunks under SQLite's limit)
            chunks = [missing[i : i + 900] for i in range(0, len(missing), 900)]
            queries = [stmt.where(OutcomeReport.id.in_(chunk)) for chunk in chunks]
        else:  # a worker's first view: every latest report, in one query
            queries = [stmt.where(OutcomeReport.id.in_(latest))]
        for query in queries:
            for rid, summary in session.execute(query):
                _SUMMARIES[(database, rid)] = summary_from_json(json_loads(summary))
    return [_SUMMARIES[(database, i)] for i in ids]


def load_dashboard(session: Session, clinic_id: int, as_of: date) -> Dashboard:
    """The dashboard figures of one clinic (no access check: callers are guarded)."""
    total, reached, days = _episodes(session, clinic_id)
    return dashboard_from_counts(
        total, reached, days, _reports(session, clinic_id), load_outcomes(), as_of=as_of
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


def dashboard_view(
    session: Session,
    principal: Principal,
    *,
    as_of: date | None = None,
    now: datetime | None = None,
) -> tuple[Dashboard, dict[str, str]]:
    """The dashboard page's figures and the key of each of its charts (`DASHBOARD_CHARTS`).

    Charts not stored yet under their key (the first view after new figures) are drawn and
    stored here, in the page's transaction, so that the page's chart links
    (`dashboard_chart_bytes(..., key=...)`) only read them."""
    clock = now or utcnow()
    with guarded(session, principal, "dashboard.page", now=clock) as guard:
        clinic_id = principal.clinic_id
        dash = load_dashboard(session, clinic_id, as_of or clock.date())
        keys = {name: dashboard_chart_key(dash, name) for name in DASHBOARD_CHARTS}
        stored = find_charts(session, clinic_id, keys.values())
        for name, key in keys.items():
            if key not in stored:
                store_chart(session, clinic_id, name, key, dashboard_chart(dash, name), now=clock)
        guard.detail = f"{dash.episodes} episodes"
    return dash, keys


def dashboard_chart_bytes(
    session: Session,
    principal: Principal,
    name: str,
    *,
    key: str | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> bytes:
    """One dashboard chart of the acting user's clinic as SVG: the stored chart under `key`
    (a page's link) when there is one, else the chart of the current figures (drawn, and
    stored for the next view)."""
    clock = now or utcnow()
    with guarded(session, principal, "dashboard.chart", target=name, now=clock):
        if name not in DASHBOARD_CHARTS:
            raise InputError(f"unknown chart {name!r}", "name", ", ".join(DASHBOARD_CHARTS))
        clinic_id = principal.clinic_id
        found = find_charts(session, clinic_id, [key] if key else [])
        if key in found:
            return found[key]
        dash = load_dashboard(session, clinic_id, as_of or clock.date())
        current = dashboard_chart_key(dash, name)
        data = find_charts(session, clinic_id, [current]).get(current)
        if data is None:
            data = dashboard_chart(dash, name)
            store_chart(session, clinic_id, name, current, data, now=clock)
    return data
