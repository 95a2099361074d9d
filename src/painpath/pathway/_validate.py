"""Check a pathway definition as a whole: its graph, and every name against its registry.

`validate_pathway` returns every problem found, each naming where it is (state, event, field,
step or number), so a broken pathway.yaml is fixed in one pass. `load_pathway` runs it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from painpath.pathway._guards import GUARDS, NOTICES
from painpath.pathway._record import HISTORY, RECORDED_AT, RECORDERS
from painpath.pathway._schema import EventSpec, PathwayDefinition
from painpath.pathway._types import FIELD_TYPES

__all__ = ["validate_pathway"]

_BOUNDED = ("integer", "number", "procedure-ids")
_NUMBERS_USED_BY_TYPES = ("string-max-chars", "text-max-chars")


def validate_pathway(
    definition: PathwayDefinition, *, source_ids: Collection[str] | None = None
) -> list[str]:
    """Every problem of `definition`, one line each (empty when the pathway is sound).

    Checks: the initial state exists and is not terminal; every event starts from and leads to
    known states (no dangling targets) and no terminal state has an outgoing event; each
    (state, event) pair is declared once; guards, notices, field types and record operations
    are registered names; every state is reachable from the initial one, every non-terminal
    state has a way out and can still reach a terminal state; the checklist and its recovery
    window are consistent; every number is present and cites a known source (when
    `source_ids` is given).
    """
    problems: list[str] = []
    states = definition.states
    if definition.initial not in states:
        problems.append(f"initial: '{definition.initial}' is not a state")
    elif states[definition.initial].terminal:
        problems.append(f"initial: '{definition.initial}' is a terminal state")

    opening = definition.opening
    if opening.from_:
        problems.append(f"opening ({opening.name}): must not have 'from' states")
    if opening.to != definition.initial:
        problems.append(f"opening ({opening.name}): leads to '{opening.to}', not the initial state")
    problems.extend(_event_problems(f"opening ({opening.name})", opening, definition))

    seen: dict[tuple[str, str], int] = {}
    for index, event in enumerate(definition.events):
        where = f"events[{index}] ({event.name})"
        if not event.from_:
            problems.append(f"{where}: has no 'from' state")
        if event.to not in states:
            problems.append(f"{where}: leads to '{event.to}', which is not a state")
        for state in event.from_:
            if state not in states:
                problems.append(f"{where}: starts from '{state}', which is not a state")
            elif states[state].terminal:
                problems.append(f"{where}: starts from terminal state '{state}'")
            if (state, event.name) in seen:
                first = seen[(state, event.name)]
                problems.append(
                    f"{where}: event '{event.name}' from '{state}' is already declared "
                    f"by events[{first}]"
                )
            seen.setdefault((state, event.name), index)
        problems.extend(_event_problems(where, event, definition))

    problems.extend(_graph_problems(definition))
    problems.extend(_checklist_problems(definition))
    problems.extend(_number_problems(definition, source_ids))
    return problems


def _event_problems(where: str, event: EventSpec, definition: PathwayDefinition) -> Iterator[str]:
    for guard in event.guards:
        if guard not in GUARDS:
            yield f"{where}: unknown guard '{guard}' (known: {', '.join(sorted(GUARDS))})"
    for notice in event.notices:
        if notice not in NOTICES:
            yield f"{where}: unknown notice '{notice}' (known: {', '.join(sorted(NOTICES))})"
    for name, spec in event.fields.items():
        at = f"{where}, field '{name}'"
        if spec.type not in FIELD_TYPES:
            yield f"{at}: unknown type '{spec.type}' (known: {', '.join(sorted(FIELD_TYPES))})"
        if name == RECORDED_AT:
            yield f"{at}: '{name}' is a reserved name"
        if spec.type == "enum" and not spec.values:
            yield f"{at}: an enum needs 'values'"
        if spec.values is not None and spec.type != "enum":
            yield f"{at}: 'values' is only for an enum"
        if (spec.min is not None or spec.max is not None) and spec.type not in _BOUNDED:
            yield f"{at}: 'min'/'max' are only for {', '.join(_BOUNDED)}"
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            yield f"{at}: 'min' is above 'max'"
        if spec.type == "checklist-step":
            for step in definition.checklist.steps:
                for needed in step.requires:
                    if needed not in event.fields:
                        yield f"{at}: step '{step.id}' requires field '{needed}', not declared"
    for index, op in enumerate(event.record):
        at = f"{where}, record[{index}]"
        if op.op not in RECORDERS:
            yield f"{at}: unknown op '{op.op}' (known: {', '.join(sorted(RECORDERS))})"
        parts = op.key.split(".")
        if not all(parts) or parts[0] == HISTORY:
            yield f"{at}: key '{op.key}' is not a dotted name outside '{HISTORY}'"
        for name in op.fields or []:
            if name not in event.fields:
                yield f"{at}: field '{name}' is not a field of the event"
        if op.event_as is not None and op.event_as in event.fields:
            yield f"{at}: event_as '{op.event_as}' clashes with a field"
        if op.init and op.op != "set":
            yield f"{at}: 'init' is only for op 'set'"


def _graph_problems(definition: PathwayDefinition) -> Iterator[str]:
    states = definition.states
    edges: dict[str, set[str]] = {name: set() for name in states}
    for event in definition.events:
        for state in event.from_:
            if state in edges and event.to in states:
                edges[state].add(event.to)
    reached: set[str] = set()
    todo = [definition.initial] if definition.initial in states else []
    while todo:
        state = todo.pop()
        if state not in reached:
            reached.add(state)
            todo.extend(edges[state] - reached)
    can_end = {name for name, spec in states.items() if spec.terminal}
    grew = True
    while grew:
        before = len(can_end)
        can_end |= {state for state, targets in edges.items() if targets & can_end}
        grew = len(can_end) != before
    for name, spec in states.items():
        if name not in reached:
            yield f"states.{name}: unreachable from '{definition.initial}'"
        if not spec.terminal and not edges[name] - {name}:
            yield f"states.{name}: not terminal, but no event leads out of it"
        elif not spec.terminal and name not in can_end:
            yield f"states.{name}: no terminal state can be reached from it"


def _checklist_problems(definition: PathwayDefinition) -> Iterator[str]:
    checklist = definition.checklist
    ids = [step.id for step in checklist.steps]
    if not ids:
        yield "checklist.steps: no steps"
    for step_id in sorted({i for i in ids if ids.count(i) > 1}):
        yield f"checklist.steps: '{step_id}' appears more than once"
    recovery = checklist.recovery
    for end in ("starts", "ends"):
        step_id = getattr(recovery, end)
        if step_id not in ids:
            yield f"checklist.recovery.{end}: '{step_id}' is not a checklist step"
    if (
        recovery.starts in ids
        and recovery.ends in ids
        and ids.index(recovery.starts) >= ids.index(recovery.ends)
    ):
        yield "checklist.recovery: 'starts' must come before 'ends'"
    for bound in ("minimum", "expected_maximum"):
        key = getattr(recovery, bound)
        if key not in definition.numbers:
            yield f"checklist.recovery.{bound}: '{key}' is not in numbers"
    low, high = (
        definition.numbers.get(recovery.minimum),
        definition.numbers.get(recovery.expected_maximum),
    )
    if low is not None and high is not None and low.value > high.value:
        yield "checklist.recovery: the minimum is above the expected maximum"


def _number_problems(
    definition: PathwayDefinition, source_ids: Collection[str] | None
) -> Iterator[str]:
    for key in _NUMBERS_USED_BY_TYPES:
        if key not in definition.numbers:
            yield f"numbers: '{key}' is missing (the field types use it)"
    for key, number in definition.numbers.items():
        if number.value <= 0:
            yield f"numbers.{key}: must be above 0"
        if source_ids is not None and number.source not in source_ids:
            yield f"numbers.{key}: unknown source '{number.source}'"
    statuses = definition.no_procedure_statuses
    if source_ids is not None and statuses.source not in source_ids:
        yield f"no_procedure_statuses: unknown source '{statuses.source}'"
