"""Pathway event forms: the fields each next event declares, read from a submitted form.

The pathway (`pathway.yaml`) declares every event's fields with their types; a form is drawn
from them, and a submission becomes the payload the clinic service checks. This module only
converts text to the declared types (all problems at once, each next to its field); the
pathway and its guards decide whether the move is allowed.

Times are entered in UTC (a `datetime-local` field, labelled so).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = ["ASSESS_FIELDS", "FormField", "event_fields", "read_event_form"]


@dataclass(frozen=True)
class FormField:
    """One input of an event form."""

    name: str
    type: str
    required: bool
    label: str
    expected: str
    values: tuple[str, ...] = ()


ASSESS_FIELDS = (
    FormField("as_of", "date", False, "Assess as of (default: today)", "a date YYYY-MM-DD"),
    FormField("payer", "enum", False, "Payer rules", "cms or none", ("cms", "none")),
)
"""The `assess` event's form: the service runs the engine and fills the declared fields."""


def event_fields(event: Mapping[str, Any]) -> tuple[FormField, ...]:
    """The form fields of one `next_events` item of an episode (as the service lists it)."""
    if event["name"] == "assess":
        return ASSESS_FIELDS
    return tuple(
        FormField(
            f["name"],
            f["type"],
            bool(f["required"]),
            f["label"] or f["name"],
            f["expected"],
            tuple(f["values"] or ()),
        )
        for f in event["fields"]
    )


def _number(raw: str, field: FormField, whole: bool) -> tuple[float | int | None, str | None]:
    try:
        value: float | int = int(raw) if whole else float(raw)
    except ValueError:
        return None, f"Enter {field.expected}."
    if not math.isfinite(value):
        return None, f"Enter {field.expected}."
    return value, None


def _one(raw: str, field: FormField) -> tuple[Any, str | None]:
    """One text value as the field's type, or an error message."""
    kind = field.type
    if kind in ("integer", "number"):
        return _number(raw, field, kind == "integer")
    if kind == "date":
        try:
            return date.fromisoformat(raw).isoformat(), None
        except ValueError:
            return None, "Enter a date as YYYY-MM-DD."
    if kind == "datetime":
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            return None, "Enter a date and time (UTC), e.g. 2026-06-01 09:30."
        if when.utcoffset() is None:
            return when.isoformat() + "+00:00", None
        return when.isoformat(), None
    choice = kind in ("enum", "checklist-step", "procedure-id")
    if choice and field.values and raw not in field.values:
        return None, "Choose one of the listed answers."
    return raw, None


def read_event_form(
    fields: Sequence[FormField], form: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The payload of a submitted event form, and a message for each field that is wrong.

    Empty fields are left out (the service then reports a missing required one); a boolean
    is a checkbox (absent = false); procedure lists are checkboxes.
    """
    payload: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        sent = [v.strip() for v in form.get(field.name, [])]
        if field.type == "boolean":
            payload[field.name] = bool(sent) and sent[0] in ("on", "true", "yes")
            continue
        if field.type == "procedure-ids":
            chosen = [v for v in sent if v]
            if chosen:
                payload[field.name] = list(dict.fromkeys(chosen))
            elif field.required:
                errors[field.name] = "Choose at least one procedure."
            continue
        raw = sent[0] if sent else ""
        if not raw:
            if field.required:
                errors[field.name] = f"This is required: {field.expected}."
            continue
        value, problem = _one(raw, field)
        if problem:
            errors[field.name] = problem
        else:
            payload[field.name] = value
    return payload, errors
