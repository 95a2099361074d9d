"""The demo clinic's outcome reports: one per episode with follow-up visits, so the dashboard
has figures; a second load adds none; a demo database without them gets them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, select

from clinic._world import FAST
from painpath.clinic import load_dashboard
from painpath.demo import DEMO_CLINIC, load_demo
from painpath.store import Clinic, Episode, OutcomeReport, session_factory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _reports(engine: Engine) -> list[tuple[int | None, int]]:
    with session_factory(engine)() as s:
        rows = s.execute(
            select(OutcomeReport.episode_id, OutcomeReport.version).order_by(OutcomeReport.id)
        ).all()
    return [(e, v) for e, v in rows]


def test_demo_reports_the_outcomes_of_followed_up_episodes_once(db_engine: Engine) -> None:
    load_demo(db_engine, hasher=FAST, now=NOW)
    with session_factory(db_engine)() as s:
        followed = sorted(
            e.id
            for e in s.scalars(select(Episode))
            if (e.data.get("follow_up") or {}).get("visits")
        )
        clinic = s.scalar(select(Clinic).where(Clinic.name == DEMO_CLINIC))
        assert clinic is not None
        dash = load_dashboard(s, clinic.id, NOW.date())
    assert len(followed) >= 3
    assert _reports(db_engine) == [(e, 1) for e in followed]
    assert sum(p["episodes"] for p in dash.by_procedure.values()) == len(followed)

    load_demo(db_engine, hasher=FAST, now=NOW)  # loaded already: nothing more
    assert _reports(db_engine) == [(e, 1) for e in followed]

    with session_factory(db_engine)() as s:  # a demo loaded before the reports existed
        s.execute(delete(OutcomeReport))
        s.commit()
        assert s.scalar(select(func.count()).select_from(OutcomeReport)) == 0
    load_demo(db_engine, hasher=FAST, now=NOW)
    assert _reports(db_engine) == [(e, 1) for e in followed]
