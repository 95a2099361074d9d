"""Read an event's payload against its declared fields: unknown, missing and mistyped fields are
refused with a `PathwayError` that names the field and says what was expected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from painpath.errors import PathwayError
from painpath.pathway._pathway import Pathway
from painpath.pathway._schema import EventSpec
from painpath.pathway._types import FIELD_TYPES, FieldValueError

__all__ = ["describe_field", "read_payload"]


def describe_field(event: EventSpec, name: str, pathway: Pathway) -> str:
    """What field `name` of `event` expects, in plain words."""
    spec = event.fields[name]
    return FIELD_TYPES[spec.type].describe(spec, pathway)


def read_payload(
    event: EventSpec, payload: object, pathway: Pathway, *, where: str
) -> dict[str, Any]:
    """The payload's typed values, field by field in the event's declared order.

    A field given as `None` counts as absent. Raises PathwayError (code `invalid-payload`,
    `field` set) for a payload that is not an object, an unknown field, a missing required
    field or a value of the wrong type; the first problem in field order is reported.
    """
    declared = list(event.fields)
    if not isinstance(payload, Mapping):
        raise PathwayError(
            f"the payload is {type(payload).__name__}, not an object",
            where,
            "an object with " + (", ".join(declared) if declared else "no fields"),
            code="invalid-payload",
        )
    for key in payload:
        if key not in event.fields:
            name = key if isinstance(key, str) else repr(key)
            raise PathwayError(
                f"unexpected field '{name}'",
                f"{where}, field '{name}'",
                "fields: " + ", ".join(declared) if declared else "no fields",
                code="invalid-payload",
                field=name,
            )
    values: dict[str, Any] = {}
    for name, spec in event.fields.items():
        raw = payload.get(name)
        if raw is None:
            if spec.required:
                raise PathwayError(
                    f"'{name}' is missing",
                    f"{where}, field '{name}'",
                    f"{describe_field(event, name, pathway)} for '{name}'",
                    code="invalid-payload",
                    field=name,
                )
            continue
        try:
            values[name] = FIELD_TYPES[spec.type].parse(raw, spec, pathway)
        except FieldValueError as exc:
            raise PathwayError(
                f"'{name}' {exc.what}",
                f"{where}, field '{name}'",
                f"{describe_field(event, name, pathway)} for '{name}'",
                code="invalid-payload",
                field=name,
            ) from None
    return values
