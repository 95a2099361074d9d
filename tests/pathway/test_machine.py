"""The transition function: every legal move, every illegal one, terminal states, messages.

Cases are generated from the pathway table, so a new state or event cannot be forgotten.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from painpath.errors import PathwayError
from painpath.pathway import (
    allowed_events,
    apply,
    initial_state,
    is_terminal,
    open_episode,
    opening_event,
)

from ._support import (
    CANCEL,
    HAPPY,
    OUTCOMES,
    PATHWAY,
    PROCEDURE,
    REFERRAL,
    STEPS,
    T0,
    VISIT,
    VISIT_NOW,
    Episode,
    now_for,
    reach,
    steps_done,
)

STATES = list(PATHWAY.states)
OPEN_STATES = [s for s in STATES if not PATHWAY.states[s].terminal]
TERMINAL_STATES = [s for s in STATES if PATHWAY.states[s].terminal]
PAIRS = [(s, e.name) for s in STATES for e in PATHWAY.events_from(s)]
ALL_EVENTS = [*PATHWAY.event_names, PATHWAY.definition.opening.name]
ILLEGAL = [
    (s, name)
    for s in STATES
    for name in ALL_EVENTS
    if name not in {e.name for e in PATHWAY.events_from(s)}
]


def _legal_case(state: str, event: str) -> tuple[Episode, dict[str, Any], datetime]:
    """An episode in `state` and a payload with which `event` must succeed."""
    if event == "cancel":
        return reach(state), CANCEL, now_for(state)
    if event in OUTCOMES:
        return reach(state), OUTCOMES[event][0], VISIT_NOW
    if event == "complete-procedure-day":
        return steps_done(len(STEPS)), {}, now_for(state)
    if event == "record-visit":
        return reach(state), VISIT, VISIT_NOW
    if event == "review":
        return reach(state).apply("record-visit", VISIT, VISIT_NOW), {}, VISIT_NOW
    if event == "reschedule":
        return reach(state), {"procedure_id": PROCEDURE, "start": "2026-06-22T09:00:00+00:00"}, T0
    for name, payload, now in HAPPY:
        if name == event:
            return reach(state), payload, now
    raise AssertionError(f"no legal case for {event} from {state}: add one to _legal_case")


def test_initial_state_is_referred() -> None:
    assert initial_state() == "referred"
    assert not is_terminal("referred")


def test_terminal_states_are_discharged_and_cancelled() -> None:
    assert TERMINAL_STATES == ["discharged", "cancelled"]
    assert all(is_terminal(s) for s in TERMINAL_STATES)


def test_opening_records_the_referral_and_enters_the_initial_state() -> None:
    moved = open_episode(REFERRAL, now=T0)
    assert (moved.from_state, moved.to_state, moved.event) == (None, "referred", "refer")
    assert moved.new_data["referral"]["source"] == "referral"
    assert moved.new_data["referral"]["recorded_at"] == T0.isoformat()
    assert moved.event_record["from_state"] is None
    assert [f.name for f in opening_event().fields][:2] == ["source", "referrer"]


def test_opening_refuses_a_referral_without_a_reason() -> None:
    with pytest.raises(PathwayError) as info:
        open_episode({"source": "self-referral"}, now=T0)
    assert info.value.field == "reason"
    assert info.value.where == "event 'refer', field 'reason'"


@pytest.mark.parametrize(("state", "event"), PAIRS, ids=[f"{s}--{e}" for s, e in PAIRS])
def test_every_legal_event_moves_to_its_target_state(state: str, event: str) -> None:
    episode, payload, now = _legal_case(state, event)
    before = copy.deepcopy(episode.data)
    moved = apply(state, episode.data, event, payload, now=now)
    assert moved.to_state == PATHWAY.event(state, event).to  # type: ignore[union-attr]
    assert moved.to_state in PATHWAY.states
    assert episode.data == before, "apply must not change the data it is given"
    assert moved.event_record["event"] == event
    assert moved.event_record["from_state"] == state
    assert moved.event_record["at"] == now
    json.dumps(moved.new_data)
    json.dumps(moved.event_record["data"])


def test_the_happy_path_walks_from_referral_to_decision() -> None:
    states = [reach("decision")]
    visited = [e["to_state"] for e in states[0].events]
    assert visited[0] == "referred"
    assert visited[-1] == "decision"
    assert {
        "consultation",
        "assessed",
        "planned",
        "scheduled",
        "procedure-day",
        "follow-up",
    } <= set(visited)
    data = states[0].data
    assert [s["step"] for s in data["procedure_day"]["steps"]] == [s["step"] for s in STEPS]
    assert data["follow_up"]["visits"][0]["relief_percent"] == 70
    assert data["assessment"]["knowledge_version"] == "2026.12.1"
    assert data["plan"]["procedures"] == [PROCEDURE, "facet-mbb-lumbar"]


@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_each_decision_outcome_leads_where_the_table_says(outcome: str) -> None:
    payload, target = OUTCOMES[outcome]
    episode = reach("decision").apply(outcome, payload, VISIT_NOW)
    assert episode.state == target
    assert episode.data["decisions"][-1]["decision"] == outcome
    assert episode.data["decisions"][-1]["reason"] == payload["reason"]


def test_a_repeat_cycle_keeps_the_first_procedure_day_and_follow_up_in_history() -> None:
    payload, _ = OUTCOMES["repeat"]
    episode = reach("decision").apply("repeat", payload, VISIT_NOW)
    day = datetime(2026, 8, 3, 7, 0, tzinfo=T0.tzinfo)
    episode = episode.apply("check-in", {}, day)
    assert episode.data["procedure_day"]["steps"] == []
    first_day = episode.data["history"]["procedure_day"][0]
    assert len(first_day["steps"]) == len(STEPS)
    assert episode.data["history"]["schedule"][0]["start"] == "2026-06-15T09:00:00+00:00"
    assert episode.data["schedule"]["start"] == "2026-08-03T09:00:00+00:00"


@pytest.mark.parametrize("state", OPEN_STATES)
def test_cancel_is_allowed_from_every_open_state_and_keeps_the_reason(state: str) -> None:
    episode = reach(state).apply("cancel", CANCEL, now_for(state))
    assert episode.state == "cancelled"
    assert episode.data["cancellation"]["reason"] == CANCEL["reason"]


def test_cancel_needs_a_reason() -> None:
    with pytest.raises(PathwayError) as info:
        reach("planned").apply("cancel", {}, T0)
    assert (info.value.code, info.value.field) == ("invalid-payload", "reason")


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=[f"{s}--{e}" for s, e in ILLEGAL])
def test_every_event_not_in_the_table_for_a_state_is_refused(state: str, event: str) -> None:
    episode = reach(state)
    with pytest.raises(PathwayError) as info:
        apply(state, episode.data, event, {}, now=now_for(state))
    error = info.value
    assert error.code == "illegal-event"
    assert error.where == f"state '{state}', event '{event}'"
    allowed = [e.name for e in PATHWAY.events_from(state)]
    if PATHWAY.states[state].terminal:
        assert error.what == f"the episode is {state}: nothing can follow"
    else:
        assert error.what == f"cannot {event} from {state}"
        assert error.expected == "one of: " + ", ".join(allowed)


def test_illegal_schedule_from_consultation_says_what_where_and_expected() -> None:
    with pytest.raises(PathwayError) as info:
        apply("consultation", {}, "schedule", {}, now=T0)
    assert str(info.value) == (
        "state 'consultation', event 'schedule': cannot schedule from consultation "
        "(expected one of: assess, cancel)"
    )
    assert info.value.exit_code == 2


@pytest.mark.parametrize("state", TERMINAL_STATES)
def test_nothing_happens_after_a_terminal_state(state: str) -> None:
    episode = reach(state)
    assert allowed_events(state) == []
    for event in [*ALL_EVENTS, "no-such-event"]:
        with pytest.raises(PathwayError, match="nothing can follow"):
            apply(state, episode.data, event, {}, now=VISIT_NOW)


def test_an_unknown_event_is_named_and_the_allowed_ones_listed() -> None:
    with pytest.raises(PathwayError) as info:
        apply("referred", {}, "teleport", {}, now=T0)
    assert info.value.what == "unknown event 'teleport'"
    assert info.value.expected == "one of: consult, cancel"


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(PathwayError) as info:
        apply("limbo", {}, "consult", {}, now=T0)
    assert info.value.code == "unknown-state"
    with pytest.raises(PathwayError):
        allowed_events("limbo")
    with pytest.raises(PathwayError):
        is_terminal("limbo")


def test_data_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PathwayError) as info:
        apply("referred", [], "consult", {}, now=T0)  # type: ignore[arg-type]
    assert info.value.code == "invalid-data"


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        apply("referred", {}, "consult", {}, now=datetime(2026, 6, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        open_episode(REFERRAL, now=datetime(2026, 6, 1))


def test_a_guard_refusal_names_the_guard_and_the_field() -> None:
    episode = reach("assessed")
    payload = {**dict(HAPPY[2][1]), "risks_discussed": False}
    with pytest.raises(PathwayError) as info:
        episode.apply("plan", payload, T0)
    error = info.value
    assert (error.code, error.field) == ("guard-failed", "risks_discussed")
    assert (
        error.where
        == "state 'assessed', event 'plan', guard 'all-discussed', field 'risks_discussed'"
    )


@pytest.mark.parametrize("state", STATES)
def test_allowed_events_match_the_table_with_their_fields(state: str) -> None:
    infos = allowed_events(state)
    assert [i.name for i in infos] == [e.name for e in PATHWAY.events_from(state)]
    for info in infos:
        spec = PATHWAY.event(state, info.name)
        assert spec is not None
        assert info.to_state == spec.to
        assert [f.name for f in info.fields] == list(spec.fields)
        assert all(f.expected for f in info.fields)


def test_allowed_events_offer_the_checklist_steps_as_choices() -> None:
    record_step = next(i for i in allowed_events("procedure-day") if i.name == "record-step")
    step = next(f for f in record_step.fields if f.name == "step")
    assert step.values == tuple(PATHWAY.steps)
    assert step.required


def test_the_event_record_carries_payload_warnings_and_pathway_version() -> None:
    episode = steps_done(len(STEPS) - 1)
    late = {**STEPS[-1], "at": "2026-06-15T10:31:00+00:00"}
    moved = apply("procedure-day", episode.data, "record-step", late, now=VISIT_NOW)
    record = moved.event_record["data"]
    assert record["payload"]["step"] == "discharge"
    assert record["pathway_version"] == PATHWAY.version
    assert record["warnings"] == list(moved.warnings)
    assert moved.warnings and moved.warnings[0].startswith("recovery-over-expected: ")


def test_a_python_datetime_payload_is_stored_as_iso_text() -> None:
    episode = reach("planned")
    start = T0 + timedelta(days=3)
    moved = apply(
        "planned", episode.data, "schedule", {"procedure_id": PROCEDURE, "start": start}, now=T0
    )
    assert moved.new_data["schedule"]["start"] == start.isoformat()
