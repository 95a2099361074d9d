"""The procedure-day checklist as recorded, and the recovery timer, from an episode's data.

Step labels, the recovery's first and last steps and its minutes are the pathway's
(`pathway.yaml` `checklist`); the pathway's guards decide what may be recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from painpath.pathway import load_pathway

__all__ = ["ChecklistView", "Recovery", "checklist_view"]


@dataclass(frozen=True)
class Recovery:
    """The recovery window: when it started (and ended), minutes so far, and its limits."""

    started: datetime
    ended: datetime | None
    minutes: int
    minimum: int
    expected_maximum: int

    @property
    def state(self) -> str:
        if self.minutes < self.minimum:
            return "too-early"
        if self.minutes > self.expected_maximum:
            return "over-expected"
        return "may-go-home"


@dataclass(frozen=True)
class ChecklistView:
    """Every checklist step with its recorded entries, the next step and the recovery."""

    rows: list[dict[str, Any]]
    next_step: str | None
    recovery: Recovery | None


def _at(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def checklist_view(data: Mapping[str, Any], now: datetime) -> ChecklistView:
    """The checklist of an episode's `procedure_day` data as of `now`."""
    pathway = load_pathway()
    checklist = pathway.definition.checklist
    day = data.get("procedure_day")
    recorded = day.get("steps") if isinstance(day, Mapping) else None
    entries = [e for e in recorded or [] if isinstance(e, Mapping)]
    rows = []
    next_step = None
    for spec in checklist.steps:
        mine = [e for e in entries if e.get("step") == spec.id]
        rows.append({"id": spec.id, "label": spec.label, "required": spec.required, "done": mine})
        if next_step is None and not mine and not spec.repeatable:
            next_step = spec.id
    start = next(
        (_at(e.get("at")) for e in entries if e.get("step") == checklist.recovery.starts), None
    )
    end = next(
        (_at(e.get("at")) for e in entries if e.get("step") == checklist.recovery.ends), None
    )
    recovery = None
    if start is not None:
        minutes = int(((end or now) - start).total_seconds() // 60)
        recovery = Recovery(
            start,
            end,
            minutes,
            int(pathway.number(checklist.recovery.minimum)),
            int(pathway.number(checklist.recovery.expected_maximum)),
        )
    return ChecklistView(rows, next_step, recovery)
