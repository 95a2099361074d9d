"""Calendar arithmetic of decision-rules §0 (months clamp to the month's last day)."""

from __future__ import annotations

import calendar
import functools
from datetime import date, timedelta

__all__ = ["days_before", "in_rolling_months", "months_before", "within_days", "within_months"]


@functools.lru_cache(maxsize=4096)
def months_before(day: date, months: int) -> date:
    """`day` minus `months` calendar months, the day clamped to the end of the target month.

    Memoized: the rules ask for the same few windows of the same as_of for every patient."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def days_before(day: date, days: float) -> date:
    return day - timedelta(days=days)


def within_days(when: date, as_of: date, days: float) -> bool:
    """On or after `as_of` - days and on or before `as_of`."""
    return days_before(as_of, days) <= when <= as_of


def within_months(when: date, as_of: date, months: int) -> bool:
    """On or after `as_of` - months and on or before `as_of`."""
    return months_before(as_of, months) <= when <= as_of


def in_rolling_months(when: date, as_of: date, months: int) -> bool:
    """Strictly after `as_of` - months and on or before `as_of` (the rolling window)."""
    return months_before(as_of, months) < when <= as_of
