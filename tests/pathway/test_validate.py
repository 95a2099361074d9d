"""The validator: broken pathway definitions are reported, every problem with where it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from painpath.pathway import PathwayDefinition, validate_pathway

from ._support import raw_definition

Edit = Callable[[dict[str, Any]], None]


def _event(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in raw["events"] if e["name"] == name)


def _add_event(**event: Any) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        raw["events"].append({"label": "Test", **event})

    return edit


def _add_state(name: str, terminal: bool = False) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        raw["states"][name] = {"description": "test", "terminal": terminal}

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        for one in edits:
            one(raw)

    return edit


def _set(path: str, value: Any) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        *parents, leaf = path.split("/")
        here: Any = raw
        for part in parents:
            here = here[int(part)] if isinstance(here, list) else here[part]
        if isinstance(here, list):
            here[int(leaf)] = value
        else:
            here[leaf] = value

    return edit


def _field(event: str, name: str, spec: dict[str, Any]) -> Edit:
    return lambda raw: _event(raw, event)["fields"].__setitem__(name, spec)


def _op(event: str, **op: Any) -> Edit:
    return lambda raw: _event(raw, event)["record"].append(op)


CASES: list[tuple[str, Edit, str]] = [
    (
        "unreachable state",
        _both(_add_state("limbo"), _add_event(name="leave", **{"from": ["limbo"]}, to="cancelled")),
        "states.limbo: unreachable from 'referred'",
    ),
    (
        "dangling target",
        _add_event(name="vanish", **{"from": ["referred"]}, to="nowhere"),
        "(vanish): leads to 'nowhere', which is not a state",
    ),
    (
        "dangling source",
        _add_event(name="appear", **{"from": ["nowhere"]}, to="referred"),
        "(appear): starts from 'nowhere', which is not a state",
    ),
    (
        "event without a from state",
        _add_event(name="float", to="referred"),
        "(float): has no 'from' state",
    ),
    (
        "unknown guard",
        lambda raw: _event(raw, "consult").__setitem__("guards", ["patient-smiles"]),
        "events[0] (consult): unknown guard 'patient-smiles'",
    ),
    (
        "unknown notice",
        lambda raw: _event(raw, "consult").__setitem__("notices", ["patient-smiles"]),
        "events[0] (consult): unknown notice 'patient-smiles'",
    ),
    (
        "terminal state with an outgoing event",
        _add_event(name="revive", **{"from": ["discharged"]}, to="referred"),
        "(revive): starts from terminal state 'discharged'",
    ),
    (
        "non-terminal state with no way out",
        _both(
            _add_state("waiting"),
            _add_event(name="wait", **{"from": ["referred"]}, to="waiting"),
            _add_event(name="wait-more", **{"from": ["waiting"]}, to="waiting"),
        ),
        "states.waiting: not terminal, but no event leads out of it",
    ),
    (
        "a loop that never ends",
        _both(
            _add_state("ping"),
            _add_state("pong"),
            _add_event(name="serve", **{"from": ["referred"]}, to="ping"),
            _add_event(name="hit", **{"from": ["ping"]}, to="pong"),
            _add_event(name="return", **{"from": ["pong"]}, to="ping"),
        ),
        "states.ping: no terminal state can be reached from it",
    ),
    (
        "duplicate event from the same state",
        _add_event(name="consult", **{"from": ["referred"]}, to="cancelled"),
        "(consult): event 'consult' from 'referred' is already declared by events[0]",
    ),
    (
        "unknown field type",
        _field("consult", "mood", {"type": "emoji"}),
        "events[0] (consult), field 'mood': unknown type 'emoji'",
    ),
    (
        "enum without values",
        _field("consult", "side", {"type": "enum"}),
        "events[0] (consult), field 'side': an enum needs 'values'",
    ),
    (
        "values on a non-enum",
        _field("consult", "side", {"type": "text", "values": ["left"]}),
        "events[0] (consult), field 'side': 'values' is only for an enum",
    ),
    (
        "bounds on text",
        _field("consult", "side", {"type": "text", "min": 1}),
        "events[0] (consult), field 'side': 'min'/'max' are only for",
    ),
    (
        "min above max",
        _field("consult", "score", {"type": "integer", "min": 10, "max": 0}),
        "events[0] (consult), field 'score': 'min' is above 'max'",
    ),
    (
        "reserved field name",
        _field("consult", "recorded_at", {"type": "datetime"}),
        "events[0] (consult), field 'recorded_at': 'recorded_at' is a reserved name",
    ),
    (
        "unknown record op",
        _op("consult", op="upsert", key="consultation"),
        "events[0] (consult), record[1]: unknown op 'upsert'",
    ),
    (
        "record key inside the history",
        _op("consult", op="set", key="history.x"),
        "events[0] (consult), record[1]: key 'history.x' is not a dotted name",
    ),
    (
        "record key with an empty part",
        _op("consult", op="set", key="a..b"),
        "events[0] (consult), record[1]: key 'a..b' is not a dotted name",
    ),
    (
        "record field not in the event",
        _op("consult", op="set", key="x", fields=["mood"]),
        "events[0] (consult), record[1]: field 'mood' is not a field of the event",
    ),
    (
        "event_as clashes with a field",
        _op("consult", op="set", key="x", event_as="history"),
        "events[0] (consult), record[1]: event_as 'history' clashes with a field",
    ),
    (
        "init on append",
        _op("consult", op="append", key="x", init={"a": 1}),
        "events[0] (consult), record[1]: 'init' is only for op 'set'",
    ),
    ("initial state unknown", _set("initial", "nowhere"), "initial: 'nowhere' is not a state"),
    (
        "initial state terminal",
        _set("initial", "discharged"),
        "initial: 'discharged' is a terminal state",
    ),
    (
        "opening with from states",
        _set("opening/from", ["referred"]),
        "opening (refer): must not have 'from' states",
    ),
    (
        "opening into another state",
        _set("opening/to", "consultation"),
        "opening (refer): leads to 'consultation', not the initial state",
    ),
    (
        "opening with an unknown guard",
        _set("opening/guards", ["nope"]),
        "opening (refer): unknown guard 'nope'",
    ),
    (
        "duplicate checklist step",
        lambda raw: raw["checklist"]["steps"].append(
            {"id": "gown", "label": "x", "required": False}
        ),
        "checklist.steps: 'gown' appears more than once",
    ),
    ("no checklist steps", _set("checklist/steps", []), "checklist.steps: no steps"),
    (
        "recovery starts at an unknown step",
        _set("checklist/recovery/starts", "nap"),
        "checklist.recovery.starts: 'nap' is not a checklist step",
    ),
    (
        "recovery ends before it starts",
        _set("checklist/recovery/ends", "arrival"),
        "checklist.recovery: 'starts' must come before 'ends'",
    ),
    (
        "recovery minimum not a number",
        _set("checklist/recovery/minimum", "nap-minutes"),
        "checklist.recovery.minimum: 'nap-minutes' is not in numbers",
    ),
    (
        "recovery minimum above its maximum",
        _set("numbers/recovery-min-minutes/value", 90),
        "checklist.recovery: the minimum is above the expected maximum",
    ),
    (
        "a step requires an undeclared field",
        lambda raw: raw["checklist"]["steps"][0].__setitem__("requires", ["badge"]),
        "events[6] (record-step), field 'step': step 'arrival' requires field 'badge'",
    ),
    (
        "a number the field types use is missing",
        lambda raw: raw["numbers"].pop("text-max-chars"),
        "numbers: 'text-max-chars' is missing",
    ),
    (
        "a number at zero",
        _set("numbers/string-max-chars/value", 0),
        "numbers.string-max-chars: must be above 0",
    ),
]


@pytest.mark.parametrize(("case", "edit", "problem"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_definition_is_reported(case: str, edit: Edit, problem: str) -> None:
    raw = raw_definition()
    edit(raw)
    problems = validate_pathway(PathwayDefinition.model_validate(raw))
    assert any(problem in p for p in problems), problems


def test_the_packaged_definition_has_no_problem() -> None:
    raw = raw_definition()
    assert validate_pathway(PathwayDefinition.model_validate(raw), source_ids=_sources()) == []


def test_every_problem_is_reported_at_once() -> None:
    raw = raw_definition()
    _add_event(name="vanish", **{"from": ["referred"]}, to="nowhere")(raw)
    _event(raw, "consult")["guards"] = ["patient-smiles"]
    problems = validate_pathway(PathwayDefinition.model_validate(raw))
    assert len(problems) == 2


def test_unknown_sources_are_reported_when_sources_are_given() -> None:
    raw = raw_definition()
    raw["numbers"]["recovery-min-minutes"]["source"] = "a-blog-post"
    raw["no_procedure_statuses"]["source"] = "a-forum"
    definition = PathwayDefinition.model_validate(raw)
    assert validate_pathway(definition) == []
    assert validate_pathway(definition, source_ids=_sources()) == [
        "numbers.recovery-min-minutes: unknown source 'a-blog-post'",
        "no_procedure_statuses: unknown source 'a-forum'",
    ]


def _sources() -> set[str]:
    from painpath.knowledge import load_knowledge

    return set(load_knowledge().sources)
