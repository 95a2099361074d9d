"""Recorders: payloads merged into the episode's data, history kept, the input never changed."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from painpath.errors import PathwayError
from painpath.pathway._record import RECORDERS, record
from painpath.pathway._schema import EventSpec, RecordOp

from ._support import PATHWAY, T0


def _event(*ops: RecordOp, fields: tuple[str, ...] = ("a", "b")) -> EventSpec:
    return EventSpec.model_validate(
        {
            "name": "note",
            "label": "Note",
            "from": ["referred"],
            "to": "referred",
            "fields": {name: {"type": "string"} for name in fields},
            "record": [op.model_dump() for op in ops],
        }
    )


def test_set_puts_the_entry_and_stamps_it() -> None:
    data = record({}, _event(RecordOp(op="set", key="x")), {"a": "1"}, T0)
    assert data == {"x": {"a": "1", "recorded_at": T0.isoformat()}}


def test_set_over_an_earlier_entry_moves_it_to_history() -> None:
    event = _event(RecordOp(op="set", key="x"))
    first = record({}, event, {"a": "1"}, T0)
    second = record(first, event, {"a": "2"}, T0)
    third = record(second, event, {"a": "3"}, T0)
    assert third["x"]["a"] == "3"
    assert [e["a"] for e in third["history"]["x"]] == ["1", "2"]


def test_set_starts_from_its_init_content() -> None:
    event = _event(RecordOp(op="set", key="day", init={"steps": []}))
    data = record({}, event, {}, T0)
    assert data["day"] == {"steps": [], "recorded_at": T0.isoformat()}
    data["day"]["steps"].append("x")
    assert event.record[0].init == {"steps": []}, "init must be copied, not shared"


def test_append_adds_to_a_nested_list_and_creates_it() -> None:
    event = _event(RecordOp(op="append", key="day.steps"))
    data = record({}, event, {"a": "1"}, T0)
    data = record(data, event, {"a": "2"}, T0)
    assert [e["a"] for e in data["day"]["steps"]] == ["1", "2"]


def test_fields_pick_what_is_kept_and_event_as_names_the_event() -> None:
    event = _event(
        RecordOp(op="append", key="decisions", fields=["a"], event_as="decision"),
        RecordOp(op="set", key="other", fields=["b"]),
    )
    data = record({}, event, {"a": "1", "b": "2"}, T0)
    assert data["decisions"] == [{"decision": "note", "a": "1", "recorded_at": T0.isoformat()}]
    assert data["other"] == {"b": "2", "recorded_at": T0.isoformat()}


def test_dates_are_stored_as_iso_text() -> None:
    data = record({}, _event(RecordOp(op="set", key="x")), {"a": date(2026, 6, 1)}, T0)
    assert data["x"]["a"] == "2026-06-01"


def test_the_given_data_is_never_changed() -> None:
    original: dict[str, Any] = {"x": {"a": "0"}, "day": {"steps": [{"a": "s"}]}}
    frozen = copy.deepcopy(original)
    event = _event(RecordOp(op="set", key="x"), RecordOp(op="append", key="day.steps"))
    record(original, event, {"a": "1"}, T0)
    assert original == frozen


@pytest.mark.parametrize(
    ("data", "op", "where"),
    [
        ({"day": "text"}, RecordOp(op="append", key="day.steps"), "data.day"),
        ({"day": {"steps": "text"}}, RecordOp(op="append", key="day.steps"), "data.day.steps"),
        ({"x": {}, "history": []}, RecordOp(op="set", key="x"), "data.history"),
    ],
)
def test_malformed_stored_data_is_refused_not_overwritten(
    data: dict[str, Any], op: RecordOp, where: str
) -> None:
    with pytest.raises(PathwayError) as info:
        record(data, _event(op), {"a": "1"}, T0)
    assert (info.value.code, info.value.where) == ("invalid-data", where)


def test_every_record_op_in_the_pathway_is_registered() -> None:
    events = [PATHWAY.definition.opening, *PATHWAY.definition.events]
    assert {op.op for e in events for op in e.record} == set(RECORDERS)
