"""The indexed pathway: events by state, steps by id and position, numbers by key."""

from __future__ import annotations

import pytest

from painpath.pathway._pathway import build_pathway

from ._support import PATHWAY


def test_events_are_indexed_by_state_in_file_order() -> None:
    assert [e.name for e in PATHWAY.events_from("decision")] == [
        "repeat",
        "next-procedure",
        "change-plan",
        "discharge",
        "cancel",
    ]
    assert PATHWAY.event("decision", "repeat") is not None
    assert PATHWAY.event("referred", "repeat") is None
    assert PATHWAY.events_from("discharged") == []
    assert PATHWAY.events_from("nowhere") == []


def test_steps_keep_their_checklist_position() -> None:
    assert PATHWAY.step_order["arrival"] == 0
    assert PATHWAY.step_order["discharge"] == len(PATHWAY.steps) - 1


def test_numbers_and_version_read_from_the_definition() -> None:
    assert PATHWAY.number("recovery-min-minutes") == 30
    assert PATHWAY.number("recovery-expected-max-minutes") == 60
    assert PATHWAY.version == PATHWAY.definition.version
    with pytest.raises(KeyError):
        PATHWAY.number("nap-minutes")


def test_event_names_are_listed_once() -> None:
    assert len(PATHWAY.event_names) == len(set(PATHWAY.event_names))
    assert "cancel" in PATHWAY.event_names


def test_a_duplicate_keeps_its_first_declaration() -> None:
    events = [*PATHWAY.definition.events]
    first = events[0]
    twin = first.model_copy(update={"to": "cancelled"})
    indexed = build_pathway(PATHWAY.definition.model_copy(update={"events": [*events, twin]}))
    assert indexed.event("referred", first.name) == first
