"""Session relief (decision-rules §3.1 "Session relief"): percent relief, else linked NRS."""

from __future__ import annotations

import pytest

from builders import nrs, percent_relief, procedure
from painpath.engine.response import session_relief

from ._support import context

DAY = "2026-04-02"
AT = f"{DAY}T09:00:00Z"


def relief(*resources, family="esi"):
    ctx = context(*resources)
    sessions = ctx.sessions_of(family)
    assert len(sessions) == 1
    return session_relief(ctx, sessions[0])


def test_percent_relief_linked_to_the_procedure_is_the_relief():
    found = relief(
        procedure("64483", AT, id="esi"), percent_relief(65, "2026-04-16", "esi", id="r")
    )
    assert found.percent == 65
    assert found.evidence == ("Observation/r",)
    assert found.method == "percent-relief"


def test_latest_percent_relief_wins():
    found = relief(
        procedure("64483", AT, id="esi"),
        percent_relief(70, "2026-04-16", "esi", id="early"),
        percent_relief(30, "2026-05-02", "esi", id="late"),
    )
    assert found.percent == 30
    assert found.evidence == ("Observation/late",)


def test_latest_percent_relief_by_time_on_the_same_day():
    found = relief(
        procedure("64493", AT, id="mbb"),
        percent_relief(90, f"{DAY}T13:00:00Z", "mbb", id="pm"),
        percent_relief(40, f"{DAY}T10:00:00Z", "mbb", id="am"),
        family="facet-block",
    )
    assert found.percent == 90


def test_unlinked_percent_relief_is_not_the_relief():
    found = relief(procedure("64483", AT, id="esi"), percent_relief(80, "2026-04-16", None))
    assert found.percent is None
    assert found.method == "unknown"


def test_percent_relief_linked_to_another_procedure_is_not_the_relief():
    found = relief(
        procedure("64483", AT, id="esi"),
        procedure("20610", AT, id="knee"),
        percent_relief(80, "2026-04-16", "knee"),
    )
    assert found.percent is None


def test_relief_of_any_procedure_of_the_session_counts():
    found = relief(
        procedure("64483", AT, id="l4"),
        procedure("64484", AT, id="l5"),
        percent_relief(55, "2026-04-20", "l5", id="r"),
    )
    assert found.percent == 55


def test_later_percent_relief_counts_for_a_therapeutic_session():
    found = relief(procedure("64483", AT, id="esi"), percent_relief(60, "2026-05-02", "esi"))
    assert found.percent == 60


def test_block_relief_must_be_on_the_block_date():
    found = relief(
        procedure("64493", AT, id="mbb"),
        percent_relief(90, "2026-04-03", "mbb"),
        family="facet-block",
    )
    assert found.percent is None


def test_block_relief_a_day_later_is_ignored_and_nrs_is_used():
    found = relief(
        procedure("64493", AT, id="mbb"),
        percent_relief(20, "2026-04-03", "mbb"),
        nrs(8, f"{DAY}T08:30:00Z", part_of="mbb", id="before"),
        nrs(1, f"{DAY}T10:00:00Z", part_of="mbb", id="after"),
        family="facet-block",
    )
    assert found.percent == 87.5
    assert found.method == "nrs"
    assert found.evidence == ("Observation/before", "Observation/after")


def test_nrs_relief_is_baseline_minus_lowest_after_over_baseline():
    found = relief(
        procedure("64483", AT, id="esi"),
        nrs(6, f"{DAY}T08:00:00Z", part_of="esi"),
        nrs(3, f"{DAY}T09:30:00Z", part_of="esi"),
        nrs(2, f"{DAY}T10:30:00Z", part_of="esi", id="lowest"),
        nrs(4, f"{DAY}T12:00:00Z", part_of="esi"),
    )
    assert found.percent == pytest.approx((6 - 2) / 6 * 100)
    assert found.evidence[1] == "Observation/lowest"


def test_nrs_baseline_is_the_latest_before_the_procedure():
    found = relief(
        procedure("64483", AT, id="esi"),
        nrs(10, "2026-03-20T08:00:00Z", part_of="esi"),
        nrs(5, f"{DAY}T08:45:00Z", part_of="esi", id="baseline"),
        nrs(1, f"{DAY}T11:00:00Z", part_of="esi"),
    )
    assert found.percent == 80.0
    assert found.evidence[0] == "Observation/baseline"


def test_nrs_after_must_be_later_the_same_day():
    found = relief(
        procedure("64483", AT, id="esi"),
        nrs(8, f"{DAY}T08:00:00Z", part_of="esi"),
        nrs(1, "2026-04-03T10:00:00Z", part_of="esi"),
    )
    assert found.percent is None


def test_nrs_without_baseline_is_unknown():
    found = relief(procedure("64483", AT, id="esi"), nrs(1, f"{DAY}T10:00:00Z", part_of="esi"))
    assert found.percent is None


def test_nrs_baseline_zero_is_unknown():
    found = relief(
        procedure("64483", AT, id="esi"),
        nrs(0, f"{DAY}T08:00:00Z", part_of="esi"),
        nrs(0, f"{DAY}T10:00:00Z", part_of="esi"),
    )
    assert found.percent is None


def test_unlinked_nrs_is_not_used():
    found = relief(
        procedure("64483", AT, id="esi"),
        nrs(8, f"{DAY}T08:00:00Z"),
        nrs(1, f"{DAY}T10:00:00Z"),
    )
    assert found.percent is None


def test_worse_pain_after_gives_negative_relief():
    found = relief(
        procedure("64483", AT, id="esi"),
        nrs(4, f"{DAY}T08:00:00Z", part_of="esi"),
        nrs(6, f"{DAY}T10:00:00Z", part_of="esi"),
    )
    assert found.percent == -50.0


def test_percent_relief_wins_over_nrs():
    found = relief(
        procedure("64483", AT, id="esi"),
        percent_relief(30, "2026-04-20", "esi"),
        nrs(8, f"{DAY}T08:00:00Z", part_of="esi"),
        nrs(0, f"{DAY}T10:00:00Z", part_of="esi"),
    )
    assert found.percent == 30


def test_date_only_procedure_uses_earlier_days_as_baseline_and_its_day_as_after():
    found = relief(
        procedure("64483", DAY, id="esi"),
        nrs(8, "2026-04-01", part_of="esi"),
        nrs(2, DAY, part_of="esi"),
    )
    assert found.percent == 75.0


def test_nrs_relief_just_below_the_block_threshold_is_not_rounded_up():
    # (10 - 2.004) / 10 = 79.96%: below 80%, whatever the display rounding.
    found = relief(
        procedure("64493", AT, id="mbb"),
        nrs(10, f"{DAY}T08:00:00Z", part_of="mbb"),
        nrs(2.004, f"{DAY}T10:00:00Z", part_of="mbb"),
        family="facet-block",
    )
    assert found.percent is not None
    assert found.percent < 80
    assert found.percent == pytest.approx(79.96)


def test_cancelled_or_erroneous_percent_relief_is_ignored():
    cancelled = {**percent_relief(90, "2026-04-16", "esi"), "status": "cancelled"}
    wrong = {**percent_relief(80, "2026-04-17", "esi"), "status": "entered-in-error"}
    found = relief(
        procedure("64483", AT, id="esi"),
        percent_relief(40, "2026-04-10", "esi", id="kept"),
        cancelled,
        wrong,
    )
    assert found.percent == 40
    assert found.evidence == ("Observation/kept",)
