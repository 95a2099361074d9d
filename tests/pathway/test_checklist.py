"""The procedure-day checklist: order, required steps and details, and the recovery window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from painpath.errors import PathwayError
from painpath.pathway import parse_pathway
from painpath.pathway._checklist import (
    RecordedStep,
    checklist_complete,
    order_problem,
    recorded_steps,
    recovery_over_expected,
    recovery_span,
)
from painpath.pathway._context import GuardContext, Refusal
from painpath.pathway._guards import GUARDS

from ._support import AFTER_DAY, DAY, PATHWAY, STEPS, context, raw_definition, steps_done

RECOVERY_AT = DAY + timedelta(hours=9, minutes=20)


def _typed(step: dict[str, Any]) -> dict[str, Any]:
    return {**step, "at": datetime.fromisoformat(step["at"])}


def _day(count: int) -> dict[str, Any]:
    """Episode data with the first `count` entries of STEPS recorded."""
    return steps_done(count).data


def _only(*names: str) -> dict[str, Any]:
    """Episode data with only the named entries of STEPS recorded, in order."""
    episode = steps_done(0)
    for step in STEPS:
        if step["step"] in names:
            episode = episode.apply("record-step", step, AFTER_DAY)
    return episode.data


def _step(step: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"step": step, "at": at, **extra}


def _ctx(values: dict[str, Any], data: dict[str, Any], event: str = "record-step") -> GuardContext:
    return context(event, values, data, AFTER_DAY)


# (guard, case, context factory, None when it passes, else the refused field and words)
CASES: list[tuple[str, str, Callable[[], GuardContext], tuple[str | None, str] | None]] = [
    ("step-in-order", "first step", lambda: _ctx(_typed(STEPS[0]), _day(0)), None),
    (
        "step-in-order",
        "a step twice",
        lambda: _ctx(_typed(STEPS[0]), _day(1)),
        ("step", "'arrival' is already recorded"),
    ),
    ("step-in-order", "a repeatable step again", lambda: _ctx(_typed(STEPS[6]), _day(7)), None),
    (
        "step-in-order",
        "an optional step after a later one",
        lambda: _ctx(_step("iv", RECOVERY_AT), _only("arrival", "gown", "site-prepared")),
        ("step", "'iv' comes before 'site-prepared', which is recorded"),
    ),
    (
        "step-in-order",
        "a required step skipped",
        lambda: _ctx(_step("site-prepared", RECOVERY_AT), _day(1)),
        ("step", "'gown' is not recorded yet"),
    ),
    (
        "step-in-order",
        "an optional step skipped",
        lambda: _ctx(_typed(STEPS[3]), _only("arrival", "gown")),
        None,
    ),
    (
        "step-in-order",
        "back in time",
        lambda: _ctx(_step("gown", DAY + timedelta(hours=6)), _day(1)),
        ("at", "is before 'arrival'"),
    ),
    (
        "step-in-order",
        "at the same minute",
        lambda: _ctx(_step("gown", DAY + timedelta(hours=7)), _day(1)),
        None,
    ),
    ("step-details", "recovery with vitals and NRS", lambda: _ctx(_typed(STEPS[5]), _day(5)), None),
    (
        "step-details",
        "recovery without NRS",
        lambda: _ctx(_step("recovery", RECOVERY_AT, vitals="BP 120/80"), _day(5)),
        ("nrs", "'nrs' is required for step 'recovery'"),
    ),
    (
        "step-details",
        "discharge without aftercare",
        lambda: _ctx(_step("discharge", RECOVERY_AT + timedelta(hours=1)), _day(7)),
        ("aftercare", "'aftercare' is required for step 'discharge'"),
    ),
    ("step-details", "arrival needs nothing more", lambda: _ctx(_typed(STEPS[0]), _day(0)), None),
    (
        "recovery-minimum",
        "exactly 30 minutes",
        lambda: _ctx(_step("discharge", RECOVERY_AT + timedelta(minutes=30)), _day(6)),
        None,
    ),
    (
        "recovery-minimum",
        "29 minutes",
        lambda: _ctx(_step("discharge", RECOVERY_AT + timedelta(minutes=29)), _day(6)),
        ("at", "recovery lasted 29 minutes"),
    ),
    (
        "recovery-minimum",
        "29 minutes 59 seconds",
        lambda: _ctx(_step("discharge", RECOVERY_AT + timedelta(seconds=1799)), _day(6)),
        ("at", "recovery lasted 29.9833 minutes"),
    ),
    (
        "recovery-minimum",
        "another step",
        lambda: _ctx(_step("recovery-check", RECOVERY_AT + timedelta(minutes=1)), _day(6)),
        None,
    ),
    ("checklist-complete", "every step", lambda: _ctx({}, _day(8), "complete-procedure-day"), None),
    (
        "checklist-complete",
        "no discharge",
        lambda: _ctx({}, _day(7), "complete-procedure-day"),
        (None, "'discharge' is not recorded"),
    ),
    (
        "checklist-complete",
        "nothing recorded",
        lambda: _ctx({}, _day(0), "complete-procedure-day"),
        (None, "'arrival' is not recorded"),
    ),
    (
        "checklist-complete",
        "steps out of order in stored data",
        lambda: _ctx({}, _swapped(), "complete-procedure-day"),
        (None, "'gown' comes before 'iv' in the checklist"),
    ),
    (
        "checklist-complete",
        "a short recovery in stored data",
        lambda: _ctx({}, _short(), "complete-procedure-day"),
        (None, "recovery lasted 10 minutes"),
    ),
]


def _swapped() -> dict[str, Any]:
    data = _day(8)
    steps = data["procedure_day"]["steps"]
    steps[1], steps[2] = steps[2], steps[1]
    return data


def _short() -> dict[str, Any]:
    data = _only(*(s["step"] for s in STEPS if s["step"] != "recovery-check"))
    data["procedure_day"]["steps"][-1]["at"] = (RECOVERY_AT + timedelta(minutes=10)).isoformat()
    return data


@pytest.mark.parametrize(
    ("guard", "case", "make", "outcome"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_checklist_guard(
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


def test_recording_discharge_exactly_30_minutes_into_recovery_is_accepted() -> None:
    episode = steps_done(6)
    end = (RECOVERY_AT + timedelta(minutes=30)).isoformat()
    moved = episode.apply("record-step", {**STEPS[-1], "at": end}, AFTER_DAY)
    assert moved.data["procedure_day"]["steps"][-1]["at"] == end
    assert moved.apply("complete-procedure-day", {}, AFTER_DAY).state == "follow-up"


def test_recording_discharge_29_minutes_into_recovery_is_refused() -> None:
    episode = steps_done(6)
    end = (RECOVERY_AT + timedelta(minutes=29)).isoformat()
    with pytest.raises(PathwayError) as info:
        episode.apply("record-step", {**STEPS[-1], "at": end}, AFTER_DAY)
    assert info.value.code == "guard-failed"
    assert info.value.field == "at"
    assert "recovery lasted 29 minutes" in str(info.value)
    assert "at least 30 minutes from 'recovery' to 'discharge'" in str(info.value)


def test_the_procedure_day_cannot_close_before_the_checklist_is_complete() -> None:
    with pytest.raises(PathwayError, match="'discharge' is not recorded"):
        steps_done(7).apply("complete-procedure-day", {}, AFTER_DAY)


def test_steps_are_recorded_in_checklist_order_through_apply() -> None:
    with pytest.raises(PathwayError, match="'arrival' is not recorded yet"):
        steps_done(0).apply("record-step", STEPS[1], AFTER_DAY)


def test_the_recovery_minimum_comes_from_the_pathway_numbers() -> None:
    raw = raw_definition()
    raw["numbers"]["recovery-min-minutes"]["value"] = 45
    stricter = parse_pathway(raw)
    ctx = context(
        "record-step",
        _step("discharge", RECOVERY_AT + timedelta(minutes=30)),
        _day(6),
        pathway=stricter,
    )
    refusal = GUARDS["recovery-minimum"](ctx)
    assert refusal is not None and "at least 45 minutes" in refusal.expected


@pytest.mark.parametrize(("minutes", "warns"), [(60, False), (61, True), (30, False)])
def test_a_recovery_past_the_expected_maximum_is_noted_not_refused(
    minutes: int, warns: bool
) -> None:
    ctx = _ctx(_step("discharge", RECOVERY_AT + timedelta(minutes=minutes)), _day(6))
    notice = recovery_over_expected(ctx)
    assert (notice is not None) == warns
    if notice is not None:
        assert notice.what == f"recovery lasted {minutes} minutes"
        assert notice.expected == "about 30-60 minutes"


def test_recorded_steps_skip_malformed_entries() -> None:
    data = {
        "procedure_day": {
            "steps": [
                {"step": "arrival", "at": "2026-06-15T07:00:00+00:00"},
                {"step": "gown", "at": "not a time"},
                {"step": "gown", "at": "2026-06-15T07:00:00"},
                {"at": "2026-06-15T07:00:00+00:00"},
                "gown",
            ]
        }
    }
    assert [s.step for s in recorded_steps(data)] == ["arrival"]
    assert recorded_steps({"procedure_day": {"steps": "arrival"}}) == []
    assert recorded_steps({"procedure_day": []}) == []
    assert recorded_steps({}) == []


def test_order_problems_are_described() -> None:
    t = DAY + timedelta(hours=7)
    assert order_problem(PATHWAY, [RecordedStep("coffee", t)]) == "'coffee' is not a checklist step"
    twice = [RecordedStep("arrival", t), RecordedStep("arrival", t)]
    assert order_problem(PATHWAY, twice) == "'arrival' is recorded twice"
    backwards = [RecordedStep("arrival", t), RecordedStep("gown", t - timedelta(minutes=1))]
    assert "is before 'arrival'" in (order_problem(PATHWAY, backwards) or "")
    assert order_problem(PATHWAY, recorded_steps(_day(8))) is None


def test_recovery_span_is_unknown_until_both_ends_are_recorded() -> None:
    assert recovery_span(PATHWAY, recorded_steps(_day(5))) is None
    assert recovery_span(PATHWAY, recorded_steps(_day(8))) == timedelta(minutes=45)


def test_checklist_complete_reads_only_the_episode_data() -> None:
    assert checklist_complete(_ctx({}, {}, "complete-procedure-day")) is not None
