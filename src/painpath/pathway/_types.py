"""Payload field types: a registry from type name to a parser and a plain-words description.

A parser takes the raw value (JSON-shaped: str, int, float, bool, list; Python callers may also
pass `date`/`datetime` objects) and returns the typed value, or raises `FieldValueError` with
what is wrong. `to_json` turns a typed value back into what the episode's data stores.
Text lengths come from `pathway.yaml` numbers, bounds from the field's own `min`/`max`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from painpath.pathway._pathway import Pathway
from painpath.pathway._schema import FieldSpec

__all__ = ["FIELD_TYPES", "FieldType", "FieldValueError", "fmt_number", "to_json"]


class FieldValueError(ValueError):
    """A payload value does not have its field's type; `what` says how."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)


@dataclass(frozen=True)
class FieldType:
    """How to read one type of field, and how to say what it expects."""

    parse: Callable[[object, FieldSpec, Pathway], Any]
    describe: Callable[[FieldSpec, Pathway], str]


def fmt_number(value: float) -> str:
    """`30.0` -> `30`, `2.5` -> `2.5`: numbers as people write them."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _line(value: object, limit: float, *, multiline: bool) -> str:
    if not isinstance(value, str):
        raise FieldValueError(f"got {_kind(value)}")
    text = value.strip()
    if not text:
        raise FieldValueError("is blank")
    if not multiline and ("\n" in text or "\r" in text):
        raise FieldValueError("has a line break")
    if len(text) > limit:
        raise FieldValueError(f"has {len(text)} characters")
    return text


def _parse_string(value: object, spec: FieldSpec, pathway: Pathway) -> str:
    return _line(value, pathway.number("string-max-chars"), multiline=False)


def _parse_text(value: object, spec: FieldSpec, pathway: Pathway) -> str:
    return _line(value, pathway.number("text-max-chars"), multiline=True)


def _parse_date(value: object, spec: FieldSpec, pathway: Pathway) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldValueError(f"got {value!r}" if isinstance(value, str) else f"got {_kind(value)}")


def _parse_datetime(value: object, spec: FieldSpec, pathway: Pathway) -> datetime:
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise FieldValueError(f"got {value!r}" if isinstance(value, str) else f"got {_kind(value)}")
    if parsed.utcoffset() is None:
        raise FieldValueError("has no UTC offset")
    return parsed


def _bounded(value: float, spec: FieldSpec) -> None:
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise FieldValueError(f"{fmt_number(value)} is out of range")


def _parse_integer(value: object, spec: FieldSpec, pathway: Pathway) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldValueError(f"got {_kind(value)}")
    _bounded(value, spec)
    return value


def _parse_number(value: object, spec: FieldSpec, pathway: Pathway) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldValueError(f"got {_kind(value)}")
    if not math.isfinite(value):
        raise FieldValueError("is not a finite number")
    _bounded(value, spec)
    return value


def _parse_boolean(value: object, spec: FieldSpec, pathway: Pathway) -> bool:
    if not isinstance(value, bool):
        raise FieldValueError(f"got {_kind(value)}")
    return value


def _parse_enum(value: object, spec: FieldSpec, pathway: Pathway) -> str:
    if not isinstance(value, str) or value not in (spec.values or []):
        raise FieldValueError(f"got {value!r}" if isinstance(value, str) else f"got {_kind(value)}")
    return value


def _parse_procedure_id(value: object, spec: FieldSpec, pathway: Pathway) -> str:
    return _line(value, pathway.number("string-max-chars"), multiline=False)


def _parse_procedure_ids(value: object, spec: FieldSpec, pathway: Pathway) -> list[str]:
    if not isinstance(value, list):
        raise FieldValueError(f"got {_kind(value)}")
    ids: list[str] = []
    for index, item in enumerate(value):
        try:
            ids.append(_parse_procedure_id(item, spec, pathway))
        except FieldValueError as exc:
            raise FieldValueError(f"item {index} {exc.what}") from None
    if len(set(ids)) != len(ids):
        raise FieldValueError("lists a procedure twice")
    if (spec.min is not None and len(ids) < spec.min) or (
        spec.max is not None and len(ids) > spec.max
    ):
        raise FieldValueError(f"has {len(ids)} items")
    return ids


def _parse_step(value: object, spec: FieldSpec, pathway: Pathway) -> str:
    if not isinstance(value, str) or value not in pathway.steps:
        raise FieldValueError(f"got {value!r}" if isinstance(value, str) else f"got {_kind(value)}")
    return value


def _range(spec: FieldSpec, noun: str) -> str:
    low = None if spec.min is None else fmt_number(spec.min)
    high = None if spec.max is None else fmt_number(spec.max)
    if low is not None and high is not None:
        return f"{noun} from {low} to {high}"
    if low is not None:
        return f"{noun} of at least {low}"
    if high is not None:
        return f"{noun} of at most {high}"
    return noun


def _describe_items(spec: FieldSpec, pathway: Pathway) -> str:
    text = "a list of distinct procedure ids"
    if spec.min is not None:
        text += f", at least {fmt_number(spec.min)}"
    if spec.max is not None:
        text += f", at most {fmt_number(spec.max)}"
    return text


def _one_of(values: list[str] | tuple[str, ...]) -> str:
    return "one of: " + ", ".join(values)


FIELD_TYPES: dict[str, FieldType] = {
    "string": FieldType(
        _parse_string,
        lambda s, p: f"one line of at most {fmt_number(p.number('string-max-chars'))} characters",
    ),
    "text": FieldType(
        _parse_text,
        lambda s, p: (
            f"non-blank text of at most {fmt_number(p.number('text-max-chars'))} characters"
        ),
    ),
    "date": FieldType(_parse_date, lambda s, p: "a date YYYY-MM-DD"),
    "datetime": FieldType(
        _parse_datetime,
        lambda s, p: "a date-time with a UTC offset, e.g. 2026-06-01T09:30:00+02:00",
    ),
    "integer": FieldType(_parse_integer, lambda s, p: _range(s, "a whole number")),
    "number": FieldType(_parse_number, lambda s, p: _range(s, "a number")),
    "boolean": FieldType(_parse_boolean, lambda s, p: "true or false"),
    "enum": FieldType(_parse_enum, lambda s, p: _one_of(s.values or [])),
    "procedure-id": FieldType(_parse_procedure_id, lambda s, p: "a procedure id"),
    "procedure-ids": FieldType(_parse_procedure_ids, _describe_items),
    "checklist-step": FieldType(_parse_step, lambda s, p: _one_of(tuple(p.steps))),
}


def to_json(value: object) -> object:
    """A typed payload value as the episode's JSON data stores it (dates as ISO 8601)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return value
