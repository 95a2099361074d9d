"""Guards outside the checklist, each seen passing and refusing; every registered guard is covered
here or in test_checklist.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from painpath.errors import PathwayError
from painpath.pathway import GUARDS, NOTICES
from painpath.pathway._context import GuardContext, Refusal

from . import test_checklist
from ._support import (
    ASSESS,
    DAY,
    PLAN,
    PROCEDURE,
    T0,
    VISIT_NOW,
    context,
    reach,
    steps_done,
)

DISCUSSED = {"benefits_discussed": True, "risks_discussed": True, "alternatives_discussed": True}


def _plan(**values: Any) -> GuardContext:
    return context("plan", {"procedures": [PROCEDURE], **DISCUSSED, **values})


def _schedule(procedure: str = PROCEDURE, start: datetime = T0, data: Any = None) -> GuardContext:
    data = reach("planned").data if data is None else data
    return context("schedule", {"procedure_id": procedure, "start": start}, data, T0)


def _check_in(now: datetime, start: str = "2026-06-15T09:00:00+00:00") -> GuardContext:
    return context("check-in", {}, {"schedule": {"start": start}}, now)


def _visit(day: date, data: Any = None) -> GuardContext:
    data = steps_done(8).data if data is None else data
    return context("record-visit", {"visit_date": day}, data, VISIT_NOW)


def _with_status(status: str) -> dict[str, Any]:
    return {"assessment": {"status": status}}


CASES: list[tuple[str, str, Callable[[], GuardContext], tuple[str | None, str] | None]] = [
    ("all-discussed", "all three discussed", lambda: _plan(), None),
    (
        "all-discussed",
        "risks not discussed",
        lambda: _plan(risks_discussed=False),
        ("risks_discussed", "risks are not recorded as discussed"),
    ),
    (
        "all-discussed",
        "alternatives absent",
        lambda: context("plan", {"benefits_discussed": True, "risks_discussed": True}),
        ("alternatives_discussed", "alternatives are not recorded as discussed"),
    ),
    ("procedures-known", "known procedures", lambda: _plan(), None),
    (
        "procedures-known",
        "an unknown procedure in a plan",
        lambda: _plan(procedures=[PROCEDURE, "laser-magic"]),
        ("procedures", "unknown procedure 'laser-magic'"),
    ),
    (
        "procedures-known",
        "an unknown procedure to book",
        lambda: _schedule(procedure="laser-magic"),
        ("procedure_id", "unknown procedure 'laser-magic'"),
    ),
    ("procedure-in-plan", "planned procedure", lambda: _schedule(), None),
    (
        "procedure-in-plan",
        "not in the plan",
        lambda: _schedule(procedure="scs-trial"),
        ("procedure_id", "'scs-trial' is not in the treatment plan"),
    ),
    (
        "procedure-in-plan",
        "no plan at all",
        lambda: _schedule(data={}),
        ("procedure_id", f"'{PROCEDURE}' is not in the treatment plan"),
    ),
    (
        "no-red-flags",
        "referred for interventional care",
        lambda: context("plan", {}, _with_status("refer-interventional")),
        None,
    ),
    ("no-red-flags", "no assessment stored", lambda: context("plan", {}, {}), None),
    (
        "no-red-flags",
        "urgent evaluation",
        lambda: context("plan", {}, _with_status("urgent-evaluation")),
        (None, "the assessment's status is urgent-evaluation: no elective procedure"),
    ),
    ("scheduled-not-in-past", "exactly now", lambda: _schedule(start=T0), None),
    (
        "scheduled-not-in-past",
        "a minute ago",
        lambda: _schedule(start=T0 - timedelta(minutes=1)),
        ("start", "is in the past"),
    ),
    ("scheduled-today", "on the booked day", lambda: _check_in(DAY + timedelta(hours=7)), None),
    (
        "scheduled-today",
        "the booked day in the booking's time zone",
        lambda: _check_in(datetime(2026, 6, 14, 22, 45, tzinfo=UTC), "2026-06-15T00:30:00+02:00"),
        None,
    ),
    (
        "scheduled-today",
        "the day before",
        lambda: _check_in(DAY - timedelta(hours=1)),
        (None, "the procedure is booked for 2026-06-15, not today (2026-06-14)"),
    ),
    (
        "scheduled-today",
        "no booking",
        lambda: context("check-in", {}, {}, DAY),
        (None, "the episode has no booked date"),
    ),
    ("visit-dated", "two weeks after", lambda: _visit(date(2026, 6, 29)), None),
    ("visit-dated", "on the procedure day", lambda: _visit(date(2026, 6, 15)), None),
    (
        "visit-dated",
        "before the procedure day",
        lambda: _visit(date(2026, 6, 14)),
        ("visit_date", "visit date 2026-06-14 is outside the follow-up"),
    ),
    (
        "visit-dated",
        "in the future",
        lambda: _visit(date(2026, 6, 30)),
        ("visit_date", "visit date 2026-06-30 is outside the follow-up"),
    ),
    ("visit-dated", "no checklist to compare with", lambda: _visit(date(2020, 1, 1), {}), None),
    (
        "has-visit",
        "one visit",
        lambda: context("review", {}, {"follow_up": {"visits": [{}]}}),
        None,
    ),
    (
        "has-visit",
        "no visit",
        lambda: context("review", {}, {"follow_up": {"visits": []}}),
        (None, "no follow-up visit is recorded"),
    ),
    ("as-of-not-in-future", "today", lambda: context("assess", {"as_of": T0.date()}), None),
    (
        "as-of-not-in-future",
        "tomorrow",
        lambda: context("assess", {"as_of": T0.date() + timedelta(days=1)}),
        ("as_of", "'as_of' 2026-06-02 is in the future"),
    ),
    ("referral-not-in-future", "no date given", lambda: context("cancel", {}), None),
    (
        "referral-not-in-future",
        "tomorrow",
        lambda: context("cancel", {"referred_on": date(2026, 6, 2)}),
        ("referred_on", "'referred_on' 2026-06-02 is in the future"),
    ),
]


@pytest.mark.parametrize(
    ("guard", "case", "make", "outcome"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_guard(
    guard: str, case: str, make: Callable[[], GuardContext], outcome: tuple[str | None, str] | None
) -> None:
    refusal = GUARDS[guard](make())
    if outcome is None:
        assert refusal is None
    else:
        assert isinstance(refusal, Refusal)
        field, words = outcome
        assert refusal.field == field
        assert words in refusal.what
        assert refusal.expected


def test_every_guard_is_seen_passing_and_refusing() -> None:
    cases = [*CASES, *test_checklist.CASES]
    passing = {guard for guard, _, _, outcome in cases if outcome is None}
    refusing = {guard for guard, _, _, outcome in cases if outcome is not None}
    assert passing == set(GUARDS)
    assert refusing == set(GUARDS)


def test_every_notice_is_tested() -> None:
    assert set(NOTICES) == {"recovery-over-expected"}


def test_procedures_known_uses_the_packaged_knowledge_base_by_default() -> None:
    ctx = _plan()
    packaged = GuardContext(ctx.pathway, ctx.state, ctx.event, ctx.data, ctx.values, ctx.now)
    assert GUARDS["procedures-known"](packaged) is None
    unknown = GuardContext(
        ctx.pathway, ctx.state, ctx.event, ctx.data, {"procedures": ["laser-magic"]}, ctx.now
    )
    assert GUARDS["procedures-known"](unknown) is not None


def test_a_plan_after_a_red_flag_assessment_is_refused_through_apply() -> None:
    episode = reach("consultation").apply("assess", {**ASSESS, "status": "urgent-evaluation"}, T0)
    with pytest.raises(PathwayError) as info:
        episode.apply("plan", PLAN, T0)
    assert "guard 'no-red-flags'" in (info.value.where or "")
    assert episode.apply("cancel", {"reason": "Urgent evaluation"}, T0).state == "cancelled"
