"""The procedure-day checklist: the steps recorded so far, their order, the recovery window,
and the guards built on them (`step-in-order`, `step-details`, `recovery-minimum`,
`checklist-complete`) and the notice `recovery-over-expected`.

Recovery runs from the checklist's `recovery.starts` step to its `recovery.ends` step; its
minimum and expected maximum (minutes) are pathway.yaml numbers. Ending recovery before the
minimum is refused; going past the expected maximum is recorded with a notice, never refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from painpath.pathway._context import GuardContext, Refusal, parse_time, section
from painpath.pathway._pathway import Pathway
from painpath.pathway._types import fmt_number

__all__ = [
    "RecordedStep",
    "checklist_complete",
    "missing_required",
    "order_problem",
    "recorded_steps",
    "recovery_minimum",
    "recovery_over_expected",
    "recovery_span",
    "step_details",
    "step_in_order",
]


@dataclass(frozen=True)
class RecordedStep:
    """One checklist entry of the episode's data: which step, and when."""

    step: str
    at: datetime


def recorded_steps(data: Mapping[str, Any]) -> list[RecordedStep]:
    """The procedure day's steps as recorded, in recording order (malformed entries skipped)."""
    raw = section(data, "procedure_day").get("steps")
    steps: list[RecordedStep] = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, Mapping) and isinstance(entry.get("step"), str):
            at = parse_time(entry.get("at"))
            if at is not None:
                steps.append(RecordedStep(entry["step"], at))
    return steps


def missing_required(pathway: Pathway, steps: Sequence[RecordedStep], *, before: int) -> list[str]:
    """Required steps with checklist position below `before` that are not recorded."""
    done = {s.step for s in steps}
    return [
        spec.id
        for index, spec in enumerate(pathway.definition.checklist.steps)
        if index < before and spec.required and spec.id not in done
    ]


def order_problem(pathway: Pathway, steps: Sequence[RecordedStep]) -> str | None:
    """What breaks the checklist order in `steps`, or None.

    Steps follow the checklist's order (a repeatable step may follow itself), a step that is
    not repeatable appears once, and times never go backwards.
    """
    previous: RecordedStep | None = None
    seen: set[str] = set()
    for current in steps:
        index = pathway.step_order.get(current.step)
        spec = pathway.steps.get(current.step)
        if index is None or spec is None:
            return f"'{current.step}' is not a checklist step"
        if current.step in seen and not spec.repeatable:
            return f"'{current.step}' is recorded twice"
        if previous is not None:
            if pathway.step_order.get(previous.step, -1) > index:
                return f"'{current.step}' comes before '{previous.step}' in the checklist"
            if current.at < previous.at:
                return f"'{current.step}' at {current.at.isoformat()} is before '{previous.step}'"
        seen.add(current.step)
        previous = current
    return None


def recovery_span(
    pathway: Pathway, steps: Sequence[RecordedStep], *, end: datetime | None = None
) -> timedelta | None:
    """Time from the recovery's first step to its end step (or to `end`), or None if unknown."""
    recovery = pathway.definition.checklist.recovery
    start = next((s.at for s in steps if s.step == recovery.starts), None)
    if end is None:
        end = next((s.at for s in steps if s.step == recovery.ends), None)
    if start is None or end is None:
        return None
    return end - start


def _in_order(pathway: Pathway) -> str:
    return "the checklist in order: " + ", ".join(pathway.steps)


def step_in_order(ctx: GuardContext) -> Refusal | None:
    """The step follows the checklist order, once unless repeatable, never back in time."""
    step, at = ctx.values.get("step"), ctx.values.get("at")
    if not isinstance(step, str) or step not in ctx.pathway.steps or not isinstance(at, datetime):
        return None
    steps = recorded_steps(ctx.data)
    spec, index = ctx.pathway.steps[step], ctx.pathway.step_order[step]
    if not spec.repeatable and any(s.step == step for s in steps):
        return Refusal(f"'{step}' is already recorded", _in_order(ctx.pathway), "step")
    later = [s.step for s in steps if ctx.pathway.step_order.get(s.step, -1) > index]
    if later:
        return Refusal(
            f"'{step}' comes before '{later[-1]}', which is recorded",
            _in_order(ctx.pathway),
            "step",
        )
    missing = missing_required(ctx.pathway, steps, before=index)
    if missing:
        return Refusal(f"'{missing[0]}' is not recorded yet", _in_order(ctx.pathway), "step")
    if steps and at < steps[-1].at:
        return Refusal(
            f"'at' {at.isoformat()} is before '{steps[-1].step}' ({steps[-1].at.isoformat()})",
            f"a time at or after {steps[-1].at.isoformat()}",
            "at",
        )
    return None


def step_details(ctx: GuardContext) -> Refusal | None:
    """The step carries the fields its checklist entry requires (vitals, NRS, aftercare)."""
    step = ctx.values.get("step")
    spec = ctx.pathway.steps.get(step) if isinstance(step, str) else None
    if spec is None:
        return None
    for name in spec.requires:
        if name not in ctx.values:
            return Refusal(
                f"'{name}' is required for step '{step}'",
                f"fields {', '.join(spec.requires)} with step '{step}'",
                name,
            )
    return None


def _too_short(ctx: GuardContext, span: timedelta | None, field: str | None) -> Refusal | None:
    recovery = ctx.pathway.definition.checklist.recovery
    minimum = ctx.pathway.number(recovery.minimum)
    if span is not None and span < timedelta(minutes=minimum):
        return Refusal(
            f"recovery lasted {span.total_seconds() / 60:g} minutes",
            f"at least {fmt_number(minimum)} minutes from '{recovery.starts}' to '{recovery.ends}'",
            field,
        )
    return None


def _span_to_end(ctx: GuardContext) -> timedelta | None:
    """The recovery span when the event records the recovery's end step, else None."""
    at = ctx.values.get("at")
    if ctx.values.get("step") != ctx.pathway.definition.checklist.recovery.ends:
        return None
    if not isinstance(at, datetime):
        return None
    return recovery_span(ctx.pathway, recorded_steps(ctx.data), end=at)


def recovery_minimum(ctx: GuardContext) -> Refusal | None:
    """The recovery's end step comes at least the minimum recovery time after its start."""
    return _too_short(ctx, _span_to_end(ctx), "at")


def checklist_complete(ctx: GuardContext) -> Refusal | None:
    """Every required step is recorded, in order, and recovery lasted at least the minimum."""
    steps = recorded_steps(ctx.data)
    required = [s.id for s in ctx.pathway.definition.checklist.steps if s.required]
    missing = missing_required(ctx.pathway, steps, before=len(ctx.pathway.step_order))
    if missing:
        return Refusal(
            f"'{missing[0]}' is not recorded", "every required step: " + ", ".join(required)
        )
    problem = order_problem(ctx.pathway, steps)
    if problem:
        return Refusal(problem, "the checklist in order, with times that never go backwards")
    return _too_short(ctx, recovery_span(ctx.pathway, steps), None)


def recovery_over_expected(ctx: GuardContext) -> Refusal | None:
    """Notice: the recovery lasted longer than the expected maximum (recorded, not refused)."""
    recovery = ctx.pathway.definition.checklist.recovery
    span = _span_to_end(ctx)
    limit = ctx.pathway.number(recovery.expected_maximum)
    if span is not None and span > timedelta(minutes=limit):
        return Refusal(
            f"recovery lasted {span.total_seconds() / 60:g} minutes",
            f"about {fmt_number(ctx.pathway.number(recovery.minimum))}-{fmt_number(limit)} minutes",
            "at",
        )
    return None
