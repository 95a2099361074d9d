"""Shared pathway fixtures: a happy path through one episode, its payloads, and small helpers.

Times are UTC: the referral, consultation, assessment, plan and booking on 1 June 2026; the
procedure day on 15 June (booked 09:00); a follow-up visit on 29 June.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from painpath.pathway import PATHWAY_FILE, Pathway, apply, load_pathway, open_episode
from painpath.pathway._context import GuardContext

PATHWAY: Pathway = load_pathway()

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = datetime(2026, 6, 15, 0, 0, tzinfo=UTC)
CHECK_IN_NOW = DAY + timedelta(hours=7)
AFTER_DAY = DAY + timedelta(hours=12)
VISIT_NOW = datetime(2026, 6, 29, 10, 0, tzinfo=UTC)

PROCEDURE = "esi-transforaminal-lumbar"
NEXT_PROCEDURE = "facet-mbb-lumbar"


def at(hour: int, minute: int = 0) -> str:
    """An ISO date-time on the procedure day."""
    return (DAY + timedelta(hours=hour, minutes=minute)).isoformat()


REFERRAL: dict[str, Any] = {
    "source": "referral",
    "referrer": "Dr Example, primary care",
    "reason": "Low back pain with left leg pain for 7 months",
    "referred_on": "2026-05-20",
}
CONSULT: dict[str, Any] = {
    "history": "Seven months of low back pain radiating to the left leg.",
    "previous_treatments": "Physical therapy 12 weeks, NSAIDs: partial relief.",
    "imaging": "MRI: L4-L5 disc herniation.",
    "symptoms": "Radicular pain, NRS 7.",
    "exam": "Positive straight leg raise on the left.",
    "tests_ordered": "None",
}
ASSESS: dict[str, Any] = {
    "assessment_id": "42",
    "knowledge_version": "2026.12.1",
    "as_of": "2026-06-01",
    "status": "refer-interventional",
}
PLAN: dict[str, Any] = {
    "procedures": [PROCEDURE, NEXT_PROCEDURE],
    "physical_therapy": "Continue home exercise programme.",
    "medication_changes": "Taper NSAID after the injection.",
    "lifestyle": "Walking 20 minutes a day.",
    "benefits_discussed": True,
    "risks_discussed": True,
    "alternatives_discussed": True,
}
SCHEDULE: dict[str, Any] = {"procedure_id": PROCEDURE, "start": at(9), "location": "Suite 2"}
STEPS: list[dict[str, Any]] = [
    {"step": "arrival", "at": at(7, 0)},
    {"step": "gown", "at": at(7, 10)},
    {"step": "iv", "at": at(7, 20)},
    {"step": "site-prepared", "at": at(8, 50)},
    {"step": "procedure", "at": at(9, 0)},
    {"step": "recovery", "at": at(9, 20), "vitals": "BP 128/80, HR 72", "nrs": 3},
    {"step": "recovery-check", "at": at(9, 35), "vitals": "BP 124/78, HR 70", "nrs": 2},
    {"step": "discharge", "at": at(10, 5), "aftercare": "Keep the site dry for 24 hours."},
]
VISIT: dict[str, Any] = {
    "visit_date": "2026-06-29",
    "response": "improved",
    "relief_percent": 70,
    "relief_duration_days": 14,
    "relief_ongoing": True,
    "nrs": 3,
}
CANCEL: dict[str, Any] = {"reason": "The patient moved away."}

HAPPY: list[tuple[str, dict[str, Any], datetime]] = [
    ("consult", CONSULT, T0),
    ("assess", ASSESS, T0),
    ("plan", PLAN, T0),
    ("schedule", SCHEDULE, T0),
    ("check-in", {}, CHECK_IN_NOW),
    *[("record-step", step, AFTER_DAY) for step in STEPS],
    ("complete-procedure-day", {}, AFTER_DAY),
    ("record-visit", VISIT, VISIT_NOW),
    ("review", {"summary": "70% relief for two weeks so far."}, VISIT_NOW),
]

OUTCOMES: dict[str, tuple[dict[str, Any], str]] = {
    "repeat": (
        {
            "reason": "Good relief that faded.",
            "procedure_id": PROCEDURE,
            "start": "2026-08-03T09:00:00+00:00",
        },
        "scheduled",
    ),
    "next-procedure": (
        {**PLAN, "procedures": [NEXT_PROCEDURE], "reason": "Facet pain next."},
        "planned",
    ),
    "change-plan": (
        {**PLAN, "procedures": [PROCEDURE], "reason": "Add a PT block first."},
        "planned",
    ),
    "discharge": (
        {"reason": "Pain controlled.", "instructions": "See your GP if it returns."},
        "discharged",
    ),
}


@dataclass
class Episode:
    """An episode as the clinic stores it: state, data and its event rows."""

    state: str
    data: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, event: str, payload: Mapping[str, Any], now: datetime) -> Episode:
        """This episode after one event (the original is left as it was)."""
        moved = apply(self.state, self.data, event, payload, now=now)
        return Episode(moved.to_state, moved.new_data, [*self.events, moved.event_record])


def opened() -> Episode:
    """A new episode with its referral recorded."""
    moved = open_episode(REFERRAL, now=T0)
    return Episode(moved.to_state, moved.new_data, [moved.event_record])


def walk(stop: Callable[[Episode], bool]) -> Episode:
    """Follow the happy path from the referral until `stop` holds (or the path ends)."""
    episode = opened()
    for event, payload, now in HAPPY:
        if stop(episode):
            break
        episode = episode.apply(event, payload, now)
    return episode


def reach(state: str) -> Episode:
    """The first episode on the happy path (or its outcomes) that is in `state`."""
    if state == "cancelled":
        return opened().apply("cancel", CANCEL, T0)
    if state == "discharged":
        payload, _ = OUTCOMES["discharge"]
        return reach("decision").apply("discharge", payload, VISIT_NOW)
    episode = walk(lambda e: e.state == state)
    assert episode.state == state, state
    return episode


def steps_done(count: int) -> Episode:
    """The procedure day with the first `count` checklist entries of STEPS recorded."""
    episode = reach("procedure-day")
    for step in STEPS[:count]:
        episode = episode.apply("record-step", step, AFTER_DAY)
    return episode


def now_for(state: str) -> datetime:
    """A `now` at which the happy path's events from `state` pass their time guards."""
    return {
        "referred": T0,
        "consultation": T0,
        "assessed": T0,
        "planned": T0,
        "scheduled": CHECK_IN_NOW,
        "procedure-day": AFTER_DAY,
    }.get(state, VISIT_NOW)


_RAW: dict[str, Any] = yaml.safe_load(PATHWAY_FILE.read_text(encoding="utf-8"))


def raw_definition() -> dict[str, Any]:
    """The packaged pathway.yaml as plain data, a fresh copy to edit."""
    return copy.deepcopy(_RAW)


@dataclass(frozen=True)
class FakeCatalog:
    """A knowledge base that knows only these procedures."""

    procedures: Mapping[str, object]


def context(
    event: str,
    values: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
    now: datetime = T0,
    pathway: Pathway = PATHWAY,
) -> GuardContext:
    """What a guard of `event` sees: typed `values`, the episode's `data`, `now`."""
    spec = next(e for e in pathway.definition.events if e.name == event)
    catalog = FakeCatalog({PROCEDURE: object(), NEXT_PROCEDURE: object()})
    return GuardContext(pathway, spec.from_[0], spec, data or {}, values, now, catalog)
