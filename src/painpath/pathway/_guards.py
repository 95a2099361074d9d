"""Guards: named checks an event must pass, looked up in `GUARDS` by the name pathway.yaml uses;
notices (`NOTICES`) have the same shape but only warn. Each is documented with what it tests.

The procedure-day checklist guards live in `_checklist.py`; they are registered here too.
Numbers come from pathway.yaml (`numbers`), never from this module.
"""

from __future__ import annotations

from datetime import date, datetime

from painpath.pathway._checklist import (
    checklist_complete,
    recorded_steps,
    recovery_minimum,
    recovery_over_expected,
    step_details,
    step_in_order,
)
from painpath.pathway._context import Guard, GuardContext, Refusal, parse_time, section

__all__ = ["GUARDS", "NOTICES"]

_DISCUSSED = ("benefits_discussed", "risks_discussed", "alternatives_discussed")


def _all_discussed(ctx: GuardContext) -> Refusal | None:
    """Benefits, risks and alternatives are each recorded as discussed (true)."""
    for name in _DISCUSSED:
        if ctx.values.get(name) is not True:
            topic = name.removesuffix("_discussed")
            return Refusal(
                f"{topic} are not recorded as discussed",
                "benefits, risks and alternatives all discussed (each true)",
                name,
            )
    return None


def _procedures_known(ctx: GuardContext) -> Refusal | None:
    """Every procedure id of the payload is a procedure of the knowledge base."""
    known = ctx.procedures()
    for name, spec in ctx.event.fields.items():
        if spec.type not in ("procedure-id", "procedure-ids") or name not in ctx.values:
            continue
        value = ctx.values[name]
        for procedure in value if isinstance(value, list) else [value]:
            if procedure not in known:
                return Refusal(
                    f"unknown procedure '{procedure}'",
                    "a procedure id of the knowledge base (`painpath knowledge`)",
                    name,
                )
    return None


def _procedure_in_plan(ctx: GuardContext) -> Refusal | None:
    """The procedure to book is one of the current treatment plan's procedures."""
    planned = section(ctx.data, "plan").get("procedures")
    planned = planned if isinstance(planned, list) else []
    procedure = ctx.values.get("procedure_id")
    if procedure not in planned:
        return Refusal(
            f"'{procedure}' is not in the treatment plan",
            "one of the plan's procedures: " + (", ".join(map(str, planned)) or "none planned"),
            "procedure_id",
        )
    return None


def _no_red_flags(ctx: GuardContext) -> Refusal | None:
    """The stored assessment does not rule out an elective procedure (red flags)."""
    status = section(ctx.data, "assessment").get("status")
    if status in ctx.pathway.definition.no_procedure_statuses.values:
        return Refusal(
            f"the assessment's status is {status}: no elective procedure",
            "urgent evaluation first; cancel this episode and open a new one afterwards",
        )
    return None


def _scheduled_not_in_past(ctx: GuardContext) -> Refusal | None:
    """The booking's start is not before `now`."""
    start = ctx.values.get("start")
    if isinstance(start, datetime) and start < ctx.now:
        return Refusal(
            f"'start' {start.isoformat()} is in the past",
            f"a date-time at or after {ctx.now.isoformat()}",
            "start",
        )
    return None


def _scheduled_today(ctx: GuardContext) -> Refusal | None:
    """Check-in happens on the booked day (in the booking's time zone)."""
    start = parse_time(section(ctx.data, "schedule").get("start"))
    if start is None:
        return Refusal("the episode has no booked date", "a schedule with a start date-time")
    today = ctx.now.astimezone(start.tzinfo).date()
    if start.date() != today:
        return Refusal(
            f"the procedure is booked for {start.date().isoformat()}, not today ({today})",
            "check-in on the booked day, or reschedule first",
        )
    return None


def _visit_dated(ctx: GuardContext) -> Refusal | None:
    """The visit date lies between the procedure day and today."""
    visit = ctx.values.get("visit_date")
    if not isinstance(visit, date):
        return None
    steps = recorded_steps(ctx.data)
    first = steps[0].at.date() if steps else None
    if visit > ctx.now.date() or (first is not None and visit < first):
        since = f"from {first.isoformat()} " if first else ""
        return Refusal(
            f"visit date {visit.isoformat()} is outside the follow-up",
            f"a date {since}up to today ({ctx.now.date().isoformat()})",
            "visit_date",
        )
    return None


def _has_visit(ctx: GuardContext) -> Refusal | None:
    """At least one follow-up visit is recorded."""
    visits = section(ctx.data, "follow_up").get("visits")
    if not isinstance(visits, list) or not visits:
        return Refusal("no follow-up visit is recorded", "at least one record-visit first")
    return None


def _not_in_future(name: str) -> Guard:
    def check(ctx: GuardContext) -> Refusal | None:
        value = ctx.values.get(name)
        if isinstance(value, date) and not isinstance(value, datetime) and value > ctx.now.date():
            return Refusal(
                f"'{name}' {value.isoformat()} is in the future",
                f"a date up to today ({ctx.now.date().isoformat()})",
                name,
            )
        return None

    check.__doc__ = f"Refuse a '{name}' date after today."
    return check


GUARDS: dict[str, Guard] = {
    "all-discussed": _all_discussed,
    "as-of-not-in-future": _not_in_future("as_of"),
    "checklist-complete": checklist_complete,
    "has-visit": _has_visit,
    "no-red-flags": _no_red_flags,
    "procedure-in-plan": _procedure_in_plan,
    "procedures-known": _procedures_known,
    "recovery-minimum": recovery_minimum,
    "referral-not-in-future": _not_in_future("referred_on"),
    "scheduled-not-in-past": _scheduled_not_in_past,
    "scheduled-today": _scheduled_today,
    "step-details": step_details,
    "step-in-order": step_in_order,
    "visit-dated": _visit_dated,
}


NOTICES: dict[str, Guard] = {"recovery-over-expected": recovery_over_expected}
