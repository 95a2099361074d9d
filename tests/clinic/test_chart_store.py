"""Stored charts: the dashboard page stores its charts under the key of their figures, the
chart links read them, new outcome data gives new keys (a stale chart is never served under
the new figures), and a patient's trajectory is drawn once per series."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from builders import bundle, condition, nrs, procedure
from painpath.clinic import _charts as patient_charts
from painpath.clinic import _dashboard as dashboard_module
from painpath.clinic import (
    compute_outcomes,
    dashboard_chart_bytes,
    dashboard_view,
    import_bundle,
    patient_chart,
)
from painpath.clinic._chartstore import KEEP, find_charts, store_chart
from painpath.reports import DASHBOARD_CHARTS
from painpath.store import StoredChart

from ._world import World

AS_OF = date(2026, 6, 1)


def _treated_patient(world: World, *nrs_scores: tuple[int, str]) -> str:
    b = bundle(
        condition("M54.16", onset="2025-06-01"),
        procedure("64483", performed="2026-01-05T09:00:00Z", id="esi-1"),
        *(nrs(score, at) for score, at in nrs_scores),
        patient_id="pt-charts",
    )
    with world.session() as session:
        return import_bundle(session, world.principals["clinician"], b, now=world.clock())


def _view(world: World, who: str = "clinician") -> dict[str, str]:
    with world.session() as session:
        _, keys = dashboard_view(session, world.principals[who], as_of=AS_OF, now=world.clock())
    return keys


def _stored(world: World) -> int:
    with world.session() as session:
        return int(session.scalar(select(func.count()).select_from(StoredChart)) or 0)


def _no_drawing(*_: object, **__: object) -> bytes:
    raise AssertionError("a chart was drawn")


def test_the_page_stores_its_charts_and_the_links_read_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _view(world)
    assert set(keys) == set(DASHBOARD_CHARTS) and _stored(world) == len(DASHBOARD_CHARTS)
    monkeypatch.setattr(dashboard_module, "dashboard_chart", _no_drawing)
    assert _view(world) == keys and _stored(world) == len(DASHBOARD_CHARTS)
    with world.session() as session:
        svg = dashboard_chart_bytes(
            session, world.principals["admin"], "funnel", key=keys["funnel"], now=world.clock()
        )
    assert b"Pathway: referred to followed up" in svg and b'role="img"' in svg


def test_new_outcome_data_gives_new_keys_and_never_the_old_chart(world: World) -> None:
    before = _view(world)
    pid = _treated_patient(world, (8, "2025-12-20T10:00:00Z"), (2, "2026-01-19T10:00:00Z"))
    with world.session() as session:
        compute_outcomes(
            session, world.principals["clinician"], pid, as_of=AS_OF, now=world.clock()
        )
    after = _view(world)
    assert after["responders"] != before["responders"]
    with world.session() as session:
        old = dashboard_chart_bytes(
            session, world.principals["clinician"], "responders", key=before["responders"]
        )
        new = dashboard_chart_bytes(
            session, world.principals["clinician"], "responders", key=after["responders"]
        )
        current = dashboard_chart_bytes(
            session, world.principals["clinician"], "responders", as_of=AS_OF
        )
    assert b"esi-transforaminal-lumbar (n=1)" not in old
    assert b"esi-transforaminal-lumbar (n=1)" in new and current == new


def test_a_chart_without_a_stored_key_is_drawn_from_the_current_figures(world: World) -> None:
    with world.session() as session:
        svg = dashboard_chart_bytes(
            session, world.principals["clinician"], "funnel", key="0" * 64, as_of=AS_OF
        )
    assert b"Pathway: referred to followed up" in svg
    assert _stored(world) == 1


def test_another_clinics_key_finds_nothing(world: World) -> None:
    keys = _view(world)
    with world.session() as session:
        assert find_charts(session, world.clinic_b, keys.values()) == {}
        assert len(find_charts(session, world.clinic_a, keys.values())) == len(keys)


def test_only_the_newest_charts_of_a_name_are_kept(world: World) -> None:
    with world.session() as session:
        for i in range(KEEP + 3):
            store_chart(
                session, world.clinic_a, "funnel", f"{i:064x}", b"<svg/>", now=world.clock()
            )
        store_chart(session, world.clinic_a, "mme", "f" * 64, b"<svg/>", now=world.clock())
        session.commit()
        keys = set(session.scalars(select(StoredChart.key).where(StoredChart.name == "funnel")))
    assert keys == {f"{i:064x}" for i in range(3, KEEP + 3)}
    assert _stored(world) == KEEP + 1


def test_a_key_stored_twice_keeps_one_row(world: World) -> None:
    with world.session() as session:
        for _ in range(2):
            store_chart(session, world.clinic_a, "funnel", "a" * 64, b"<svg/>", now=world.clock())
        session.commit()
    assert _stored(world) == 1


def _trajectory(world: World, pid: str) -> bytes:
    with world.session() as session:
        return patient_chart(
            session,
            world.principals["clinician"],
            pid,
            "trajectory",
            as_of=AS_OF,
            now=world.clock(),
        )


def test_the_trajectory_is_drawn_once_per_series(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _treated_patient(world, (8, "2025-12-20T10:00:00Z"))
    first = _trajectory(world, pid)
    assert b"Pain and opioid dose over time" in first and _stored(world) == 1
    with monkeypatch.context() as patched:
        patched.setattr(patient_charts, "trajectory_chart", _no_drawing)
        assert _trajectory(world, pid) == first
    _treated_patient(world, (8, "2025-12-20T10:00:00Z"), (3, "2026-02-01T10:00:00Z"))
    assert _trajectory(world, pid) != first and _stored(world) == 2
