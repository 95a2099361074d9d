"""Calendar arithmetic of decision-rules §0."""

from __future__ import annotations

from datetime import date

import pytest

from painpath.engine._dates import (
    days_before,
    in_rolling_months,
    months_before,
    within_days,
    within_months,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 6, 1), 3, date(2026, 3, 1)),
        (date(2026, 6, 15), 12, date(2025, 6, 15)),
        (date(2026, 6, 1), 24, date(2024, 6, 1)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),  # clamped to the month's last day
        (date(2024, 5, 31), 3, date(2024, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 7, 31), 1, date(2026, 6, 30)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),  # across the year
        (date(2026, 1, 31), 13, date(2024, 12, 31)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2026, 6, 1), 0, date(2026, 6, 1)),
    ],
)
def test_months_before_clamps_the_day_to_the_month_end(day, months, expected):
    assert months_before(day, months) == expected


def test_days_before_is_plain_day_arithmetic():
    assert days_before(date(2026, 3, 1), 30) == date(2026, 1, 30)
    assert days_before(date(2026, 3, 1), 28) == date(2026, 2, 1)


def test_within_days_is_inclusive_at_both_ends():
    as_of = date(2026, 6, 1)
    assert within_days(date(2026, 5, 2), as_of, 30)
    assert not within_days(date(2026, 5, 1), as_of, 30)
    assert within_days(as_of, as_of, 30)
    assert not within_days(date(2026, 6, 2), as_of, 30)


def test_within_months_is_inclusive_at_both_ends():
    as_of = date(2026, 6, 1)
    assert within_months(date(2024, 6, 1), as_of, 24)
    assert not within_months(date(2024, 5, 31), as_of, 24)
    assert within_months(as_of, as_of, 24)
    assert not within_months(date(2026, 6, 2), as_of, 24)


def test_rolling_months_excludes_the_day_exactly_n_months_before():
    as_of = date(2026, 6, 1)
    assert not in_rolling_months(date(2025, 6, 1), as_of, 12)
    assert in_rolling_months(date(2025, 6, 2), as_of, 12)
    assert in_rolling_months(as_of, as_of, 12)
    assert not in_rolling_months(date(2026, 6, 2), as_of, 12)


def test_rolling_window_at_a_month_end():
    as_of = date(2025, 2, 28)
    assert not in_rolling_months(date(2024, 2, 28), as_of, 12)
    assert in_rolling_months(date(2024, 2, 29), as_of, 12)
