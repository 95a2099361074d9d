"""The pathway definition, indexed for the state machine: events by (state, name), steps by id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from painpath.pathway._schema import EventSpec, PathwayDefinition, StateSpec, StepSpec

__all__ = ["Pathway", "build_pathway"]


@dataclass(frozen=True)
class Pathway:
    """A validated pathway definition with its lookup tables. Build it with `load_pathway()`."""

    definition: PathwayDefinition
    by_state: Mapping[str, Mapping[str, EventSpec]]
    steps: Mapping[str, StepSpec]
    step_order: Mapping[str, int]
    event_names: tuple[str, ...]

    @property
    def version(self) -> str:
        """The pathway definition's version (recorded with every event)."""
        return self.definition.version

    @property
    def states(self) -> Mapping[str, StateSpec]:
        """Every state by name, in file order."""
        return self.definition.states

    @property
    def initial(self) -> str:
        """The state a new episode is in once its referral is recorded."""
        return self.definition.initial

    def number(self, key: str) -> float:
        """The value of an entry of `numbers` (KeyError when absent)."""
        return self.definition.numbers[key].value

    def event(self, state: str, name: str) -> EventSpec | None:
        """The event `name` as it may happen from `state`, or None."""
        return self.by_state.get(state, {}).get(name)

    def events_from(self, state: str) -> list[EventSpec]:
        """The events that may happen from `state`, in file order."""
        return list(self.by_state.get(state, {}).values())


def build_pathway(definition: PathwayDefinition) -> Pathway:
    """Index a definition. Duplicates keep their first entry (the validator reports them)."""
    by_state: dict[str, dict[str, EventSpec]] = {name: {} for name in definition.states}
    names: list[str] = []
    for event in definition.events:
        if event.name not in names:
            names.append(event.name)
        for state in event.from_:
            by_state.setdefault(state, {}).setdefault(event.name, event)
    steps: dict[str, StepSpec] = {}
    order: dict[str, int] = {}
    for index, step in enumerate(definition.checklist.steps):
        steps.setdefault(step.id, step)
        order.setdefault(step.id, index)
    return Pathway(
        definition=definition,
        by_state=by_state,
        steps=steps,
        step_order=order,
        event_names=tuple(names),
    )
