"""Typed schema of `pathway.yaml` (pydantic 2): states, events, fields, checklist and numbers.

The schema checks shapes only; `_validate.validate_pathway` checks the graph and every name
(states, guards, field types, record operations) against its registry.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Checklist",
    "CitedValues",
    "EventSpec",
    "FieldSpec",
    "NumberSpec",
    "PathwayDefinition",
    "RecordOp",
    "RecoverySpec",
    "StateSpec",
    "StepSpec",
    "Tag",
]

Tag = Literal["primary", "secondary", "unverified", "operational"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NumberSpec(_Model):
    """An operational number (recovery minutes, text limits) with its unit, source and tag."""

    value: float
    unit: str | None = None
    source: str
    tag: Tag
    note: str | None = None


class CitedValues(_Model):
    """A list of values (e.g. assessment statuses) with its source and tag."""

    values: list[str]
    source: str
    tag: Tag
    note: str | None = None


class FieldSpec(_Model):
    """One payload field of an event.

    `type` names an entry of the field-type registry (`_types.FIELD_TYPES`). `min`/`max` bound
    an `integer` or a `number`, and count the items of `procedure-ids`; `values` lists an
    `enum`'s choices.
    """

    type: str
    required: bool = False
    label: str | None = None
    values: list[str] | None = None
    min: float | None = None
    max: float | None = None


class RecordOp(_Model):
    """How an event's payload goes into the episode's data.

    `op` names a recorder (`_record.RECORDERS`): `set` replaces `data[key]` (the old value moves
    to `data["history"][key]`), `append` adds an entry to the list at `key` (dotted path).
    `fields` picks the payload fields to keep (default all); `event_as` stores the event's name
    under that key; `init` is the starting content of a `set` (e.g. an empty list of steps).
    """

    op: str
    key: str
    fields: list[str] | None = None
    event_as: str | None = None
    init: dict[str, Any] = {}


class EventSpec(_Model):
    """An explicit transition: from these states, to that state, with this payload."""

    name: str
    label: str
    from_: list[str] = Field(default=[], alias="from")
    to: str
    fields: dict[str, FieldSpec] = {}
    guards: list[str] = []
    notices: list[str] = []
    record: list[RecordOp] = []


class StateSpec(_Model):
    """A clinical moment of the episode; a terminal state has no way out."""

    description: str
    terminal: bool = False


class StepSpec(_Model):
    """One procedure-day checklist step; `requires` names record-step fields it must carry."""

    id: str
    label: str
    required: bool
    repeatable: bool = False
    requires: list[str] = []


class RecoverySpec(_Model):
    """Recovery runs from the `starts` step to the `ends` step; `minimum` and
    `expected_maximum` name entries of `numbers` (minutes)."""

    starts: str
    ends: str
    minimum: str
    expected_maximum: str


class Checklist(_Model):
    """The procedure-day steps in order, and the recovery window."""

    steps: list[StepSpec]
    recovery: RecoverySpec


class PathwayDefinition(_Model):
    """The whole of `pathway.yaml`."""

    version: str
    initial: str
    numbers: dict[str, NumberSpec]
    no_procedure_statuses: CitedValues
    checklist: Checklist
    states: dict[str, StateSpec]
    opening: EventSpec
    events: list[EventSpec]
