"""Small, total readers of JSON values: codings, codes, strings and numbers.

Every function here accepts any JSON value and never raises anything but
`FhirInputError`: a malformed element that the rules do not validate reads as
absent (None or empty), so that, for example, an unreadable dose is reported by the
engine rather than guessed. The strict readers (`number`) are for the values that
decision-rules §7 validates.
"""

from __future__ import annotations

import math
from typing import Any

from painpath.domain import Coding
from painpath.errors import FhirInputError
from painpath.fhir._types import Json

__all__ = [
    "as_list",
    "as_obj",
    "as_str",
    "codings",
    "first_code",
    "loose_number",
    "number",
    "reference",
]


def as_obj(value: object) -> Json | None:
    """The value when it is a JSON object, else None."""
    return value if isinstance(value, dict) else None


def as_list(value: object) -> list[Any]:
    """The value when it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    """The value when it is a string, else None."""
    return value if isinstance(value, str) else None


_CODINGS: dict[tuple[object, object, object], Coding] = {}
_CODINGS_MAX = 50_000


def _make_coding(system: object, code: object, display: object) -> Coding:
    return Coding(
        system if isinstance(system, str) else None,
        code if isinstance(code, str) else None,
        display if isinstance(display, str) else None,
    )


def _coding(raw: Json) -> Coding:
    """One Coding, shared between equal codings (they are immutable and repeat a lot)."""
    key = (raw.get("system"), raw.get("code"), raw.get("display"))
    try:
        found = _CODINGS.get(key)
    except TypeError:  # an unhashable (malformed) element: read, not cached
        return _make_coding(*key)
    if found is None:
        found = _make_coding(*key)
        if len(_CODINGS) < _CODINGS_MAX:
            _CODINGS[key] = found
    return found


def codings(concept: object) -> tuple[Coding, ...]:
    """Every coding of a CodeableConcept, as given (malformed codings are skipped)."""
    if not isinstance(concept, dict):
        return ()
    raw = concept.get("coding")
    if not isinstance(raw, list):
        return ()
    return tuple([_coding(c) for c in raw if isinstance(c, dict)])


def first_code(concept: object) -> str | None:
    """The code of the first coding of a CodeableConcept that has one (e.g. a status)."""
    if not isinstance(concept, dict):
        return None
    for c in as_list(concept.get("coding")):
        if isinstance(c, dict):
            code = c.get("code")
            if isinstance(code, str):
                return code
    return None


def reference(value: object) -> str | None:
    """The `reference` string of a Reference element, else None."""
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, str) and ref:
            return ref
    return None


def loose_number(value: object) -> float | None:
    """A finite JSON number as float; anything else (strings, booleans, NaN) reads as None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def number(value: object, where: str, expected: str) -> float:
    """A finite JSON number as float, else `FhirInputError` (booleans are not numbers)."""
    result = loose_number(value)
    if result is None:
        raise FhirInputError("value is not a number", where, expected)
    return result
