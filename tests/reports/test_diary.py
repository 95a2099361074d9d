"""The block diary's verdict: peak relief in the window against the policy's threshold."""

from __future__ import annotations

import pytest

from painpath.errors import InputError
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.reports import DiaryEntry, block_response, relief_percent, session_family_of

KB = load_knowledge()
OUT = load_outcomes()


def _judge(family: str, baseline: float | None, *entries: DiaryEntry, drug: str | None = None):  # type: ignore[no-untyped-def]
    return block_response(KB, OUT, family, baseline=baseline, entries=entries, anesthetic=drug)


def test_relief_is_the_drop_from_baseline_in_percent() -> None:
    assert relief_percent(8, 2) == 75.0
    assert relief_percent(8, 10) == -25.0
    assert relief_percent(0, 0) is None
    assert relief_percent(None, 3) is None


def test_the_threshold_is_the_policy_number_of_the_session_family() -> None:
    facet = _judge("facet-block", 10, DiaryEntry(30, nrs=5))
    si = _judge("si", 10, DiaryEntry(30, nrs=5))
    assert facet.threshold == KB.number("facet-block-positive-percent")
    assert si.threshold == KB.number("si-block-positive-percent")


def test_a_peak_of_60_percent_is_negative_and_the_peak_is_the_best_score() -> None:
    result = _judge("facet-block", 10, DiaryEntry(30, nrs=7), DiaryEntry(120, nrs=4))
    assert result.result == "negative"
    assert result.peak_percent == pytest.approx(60.0)
    assert result.peak_minutes == 120


def test_a_diary_recorded_as_it_fills_says_negative_so_far_until_complete() -> None:
    partial = _judge("facet-block", 10, DiaryEntry(30, nrs=5), drug="lidocaine")
    assert (partial.result, partial.complete) == ("negative", False)
    assert "negative block so far (1 of 3 diary times)" in partial.message
    full = _judge(
        "facet-block",
        10,
        DiaryEntry(30, nrs=5),
        DiaryEntry(60, nrs=4),
        DiaryEntry(120, nrs=4),
        drug="lidocaine",
    )
    assert full.complete and "so far" not in full.message


def test_exactly_the_threshold_is_positive() -> None:
    needed = KB.number("si-block-positive-percent")
    result = _judge("si", None, DiaryEntry(60, relief=needed))
    assert result.result == "positive"


def test_scores_after_the_anesthetic_window_do_not_count() -> None:
    drug = OUT.diary("facet-block").anesthetic("lidocaine")  # type: ignore[union-attr]
    assert drug is not None
    late = max(OUT.diary("facet-block").anesthetic("bupivacaine").timepoints_minutes.values)  # type: ignore[union-attr]
    assert late > drug.window_minutes
    result = _judge("facet-block", 10, DiaryEntry(late, nrs=0), DiaryEntry(30, nrs=5))
    # the late time is not a lidocaine time at all
    with pytest.raises(InputError):
        _judge("facet-block", 10, DiaryEntry(late, nrs=0), drug="lidocaine")
    assert result.peak_percent == 100.0


def test_a_missing_baseline_gives_a_message_and_no_number() -> None:
    result = _judge("facet-block", None, DiaryEntry(120, nrs=1))
    assert result.peak_percent is None
    assert result.result == "unknown"
    assert "No baseline pain score" in result.message


def test_a_zero_baseline_gives_a_message_and_no_number() -> None:
    result = _judge("facet-block", 0, DiaryEntry(120, nrs=0))
    assert result.peak_percent is None
    assert "baseline pain score is 0" in result.message


@pytest.mark.parametrize(
    ("entries", "where"),
    [
        ((DiaryEntry(45, nrs=3),), "entries[0].minutes"),
        ((DiaryEntry(30, nrs=3), DiaryEntry(30, nrs=2)), "entries[1].minutes"),
        ((DiaryEntry(30, nrs=11),), "entries[0].nrs"),
        ((DiaryEntry(30, nrs=2.5),), "entries[0].nrs"),
        ((DiaryEntry(30, relief=120),), "entries[0].relief"),
        ((DiaryEntry(30),), "entries[0]"),
    ],
)
def test_bad_entries_are_refused_with_where(entries: tuple[DiaryEntry, ...], where: str) -> None:
    with pytest.raises(InputError) as caught:
        _judge("facet-block", 8, *entries)
    assert caught.value.where == where


def test_a_family_without_a_protocol_is_refused() -> None:
    with pytest.raises(InputError, match="no pain diary protocol"):
        _judge("esi", 8, DiaryEntry(30, nrs=3))


def test_the_session_family_comes_from_the_cpt_code() -> None:
    assert session_family_of(KB, "64493") == "facet-block"
    assert session_family_of(KB, "27096") == "si"
    assert session_family_of(KB, "99213") is None
