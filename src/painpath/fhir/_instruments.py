"""Range checks for scored instruments (NRS, PEG, percent relief, ...), from the knowledge base.

The instruments, their codes and their valid ranges live in
`knowledge/data/instruments.yaml`; a value outside its range, or one that is not a
number, is invalid input (decision-rules §7), never a finding. Observations are
matched by any of their codings (system and code); the intake questionnaire's
scored items by linkId.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from painpath.domain import Coding
from painpath.errors import FhirInputError
from painpath.fhir._types import Json
from painpath.fhir._values import loose_number, number
from painpath.knowledge._loader import load_instruments

__all__ = ["Range", "Ranges", "check_element_value", "check_score", "instrument_of", "ranges"]


@dataclass(frozen=True, slots=True)
class Range:
    """One instrument's id and the closed range its values must lie in."""

    instrument: str
    minimum: float
    maximum: float

    @property
    def expected(self) -> str:
        """The expectation text of an error message, e.g. `a number from 0 to 10 (nrs)`."""
        return f"a number from {self.minimum:g} to {self.maximum:g} ({self.instrument})"


@dataclass(frozen=True, slots=True)
class Ranges:
    """Instrument ranges by (system, code), and the intake questionnaire's scored items."""

    by_code: dict[tuple[str | None, str | None], Range]
    codes_by_system: dict[str, frozenset[str]]  # the keys of `by_code`, by system
    intake_url: str
    intake_items: dict[str, Range]
    painpath_system: str


@functools.cache
def ranges() -> Ranges:
    """The ranges of the knowledge base's instruments (loaded once per process)."""
    data = load_instruments()
    by_id = {i.id: Range(i.id, i.minimum, i.maximum) for i in data.instruments}
    by_system: dict[str, set[str]] = {}
    for i in data.instruments:
        by_system.setdefault(i.system, set()).add(i.code)
    return Ranges(
        by_code={(i.system, i.code): by_id[i.id] for i in data.instruments},
        codes_by_system={system: frozenset(codes) for system, codes in by_system.items()},
        intake_url=data.intake_questionnaire,
        intake_items={link: by_id[inst] for link, inst in data.numeric_items.items()},
        painpath_system=data.painpath_system,
    )


def instrument_of(found: tuple[Coding, ...]) -> Range | None:
    """The instrument that any of a concept's codings names, else None."""
    table = ranges().by_code
    for coding in found:
        scale = table.get((coding.system, coding.code))
        if scale is not None:
            return scale
    return None


def check_score(value: object, where: str, scale: Range) -> float:
    """The value as float when it is a number in the instrument's range, else FhirInputError."""
    result = number(value, where, scale.expected)
    if not scale.minimum <= result <= scale.maximum:
        raise FhirInputError("value is out of range", where, scale.expected)
    return result


def _score(value: object, prefix: str, name: str, scale: Range) -> float:
    """`check_score`, naming the value `prefix + name` only when it fails (most values pass)."""
    result = loose_number(value)
    if result is None or not scale.minimum <= result <= scale.maximum:
        return check_score(value, f"{prefix}{name}", scale)  # raises, with the message
    return result


def check_element_value(element: Json, prefix: str, scale: Range) -> float | None:
    """Validate the value[x] of an element scored by an instrument (Observation, component,
    questionnaire answer); `prefix` is the location up to the element name, e.g.
    `"Observation/obs-3 "` or `"... component[0]."`.

    A numeric value (`valueQuantity.value`, `valueInteger`, `valueDecimal`) must lie in
    range; any other value[x] is "not a number"; no value at all reads as None.
    """
    quantity = element.get("valueQuantity")
    if quantity is not None:
        inner = quantity.get("value") if isinstance(quantity, dict) else quantity
        return _score(inner, prefix, "valueQuantity.value", scale)
    for name in ("valueInteger", "valueDecimal"):
        if name in element:
            return _score(element[name], prefix, name, scale)
    for name in element:
        if name.startswith("value") and name[5:6].isupper():
            raise FhirInputError("value is not a number", f"{prefix}{name}", scale.expected)
    return None
