"""Payload reading: unknown, missing and mistyped fields are refused, naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from painpath.errors import PathwayError
from painpath.pathway._payload import describe_field, read_payload
from painpath.pathway._schema import EventSpec, FieldSpec

from ._support import PATHWAY, PLAN, PROCEDURE, REFERRAL

EVENTS = [PATHWAY.definition.opening, *PATHWAY.definition.events]
FIELDS = [(e, name) for e in EVENTS for name in e.fields]
REQUIRED = [(e, name) for e in EVENTS for name, spec in e.fields.items() if spec.required]


SAMPLES: dict[str, Any] = {
    "string": "one line",
    "text": "Some text.",
    "date": "2026-06-01",
    "datetime": "2026-06-01T09:30:00+02:00",
    "integer": 0,
    "number": 0,
    "boolean": True,
    "procedure-id": PROCEDURE,
    "procedure-ids": [PROCEDURE],
    "checklist-step": "arrival",
}


def _sample(spec: FieldSpec) -> Any:
    return spec.values[0] if spec.values else SAMPLES[spec.type]


def _full(event: EventSpec) -> dict[str, Any]:
    return {name: _sample(spec) for name, spec in event.fields.items()}


def _ids(cases: list[tuple[EventSpec, str]]) -> list[str]:
    return [f"{e.name}.{name}" for e, name in cases]


@pytest.mark.parametrize("event", EVENTS, ids=[e.name for e in EVENTS])
def test_a_payload_of_every_declared_type_is_read(event: EventSpec) -> None:
    values = read_payload(event, _full(event), PATHWAY, where="here")
    assert list(values) == list(event.fields)


@pytest.mark.parametrize(("event", "name"), FIELDS, ids=_ids(FIELDS))
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(event: EventSpec, name: str) -> None:
    payload = {**_full(event), name: {"not": "a value"}}
    with pytest.raises(PathwayError) as info:
        read_payload(event, payload, PATHWAY, where=f"event '{event.name}'")
    error = info.value
    assert (error.code, error.field) == ("invalid-payload", name)
    assert error.where == f"event '{event.name}', field '{name}'"
    assert error.what == f"'{name}' got dict"
    assert error.expected == f"{describe_field(event, name, PATHWAY)} for '{name}'"


@pytest.mark.parametrize(("event", "name"), REQUIRED, ids=_ids(REQUIRED))
def test_a_missing_required_field_is_named(event: EventSpec, name: str) -> None:
    for missing in (
        {k: v for k, v in _full(event).items() if k != name},
        {**_full(event), name: None},
    ):
        with pytest.raises(PathwayError) as info:
            read_payload(event, missing, PATHWAY, where="here")
        assert (info.value.field, info.value.code) == (name, "invalid-payload")
        assert info.value.what == f"'{name}' is missing"


def test_an_unknown_field_is_named_and_the_declared_ones_listed() -> None:
    opening = PATHWAY.definition.opening
    with pytest.raises(PathwayError) as info:
        read_payload(opening, {**REFERRAL, "diagnosis": "x"}, PATHWAY, where="event 'refer'")
    assert info.value.field == "diagnosis"
    assert info.value.what == "unexpected field 'diagnosis'"
    assert info.value.expected == "fields: source, referrer, reason, referred_on"


def test_an_event_without_fields_refuses_any_field() -> None:
    check_in = PATHWAY.event("scheduled", "check-in")
    assert check_in is not None
    with pytest.raises(PathwayError, match="unexpected field 'x'"):
        read_payload(check_in, {"x": 1}, PATHWAY, where="here")


def test_a_payload_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PathwayError) as info:
        read_payload(PATHWAY.definition.opening, ["referral"], PATHWAY, where="event 'refer'")
    assert info.value.what == "the payload is list, not an object"
    assert info.value.code == "invalid-payload"


def test_a_null_optional_field_counts_as_absent() -> None:
    values = read_payload(
        PATHWAY.definition.opening, {**REFERRAL, "referrer": None}, PATHWAY, where="here"
    )
    assert "referrer" not in values
    assert values["referred_on"] == date(2026, 5, 20)


def test_values_come_back_typed_and_in_declared_order() -> None:
    plan = PATHWAY.event("assessed", "plan")
    assert plan is not None
    values = read_payload(plan, dict(reversed(list(PLAN.items()))), PATHWAY, where="here")
    assert list(values) == [n for n in plan.fields if n in PLAN]
    assert values["benefits_discussed"] is True
