"""Safety holds with dates: the engine's findings for a procedure, dated from its booking.

The engine gives `hold_days_before` and `restart_hours_after` (from the knowledge base); this
module only does the calendar arithmetic. A finding the engine marks unverified never gets a
date: it says to confirm with the clinician and the guideline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["Hold", "holds_for", "option_for"]


@dataclass(frozen=True)
class Hold:
    """One safety finding, with the dates it implies when a procedure date is known."""

    severity: str
    drug: str | None
    message: str
    verified: bool
    citation: str
    stop_on: datetime | None = None  # the last dose is taken before this instant
    restart_at: datetime | None = None
    continue_drug: bool = False

    @property
    def exact_time(self) -> bool:
        """Whether the stop time falls within the day (a hold of hours, not whole days)."""
        return self.stop_on is not None and (self.stop_on.hour, self.stop_on.minute) != (0, 0)


def option_for(document: Mapping[str, Any] | None, procedure: str) -> Mapping[str, Any] | None:
    """The assessment's option for `procedure`, if it lists one."""
    for option in (document or {}).get("options") or []:
        if option.get("procedure") == procedure:
            found: Mapping[str, Any] = option
            return found
    return None


def holds_for(safety: Sequence[Mapping[str, Any]], start: datetime | None) -> list[Hold]:
    """The findings as holds; dated when the finding is verified and the start is known.

    A hold of whole days stops on the calendar day that many days before the procedure day;
    a hold of hours stops that many hours before the start.
    """
    holds = []
    for f in safety:
        verified = bool(f.get("verified", True))
        days = f.get("hold_days_before")
        hours_after = f.get("restart_hours_after")
        stop_on = restart_at = None
        if verified and start is not None and isinstance(days, (int, float)) and days > 0:
            if float(days).is_integer():
                day = start.date() - timedelta(days=int(days))
                stop_on = datetime(day.year, day.month, day.day, tzinfo=start.tzinfo)
            else:
                stop_on = start - timedelta(days=float(days))
            if isinstance(hours_after, (int, float)):
                restart_at = start + timedelta(hours=float(hours_after))
        holds.append(
            Hold(
                severity=str(f.get("severity") or "info"),
                drug=f.get("drug"),
                message=str(f.get("message") or ""),
                verified=verified,
                citation=str(f.get("citation") or ""),
                stop_on=stop_on,
                restart_at=restart_at,
                continue_drug=verified and days == 0,
            )
        )
    return holds
