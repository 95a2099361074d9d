"""FHIR R4 `Dosage` elements read into `Dosage`: parsed, not interpreted (no MME maths).

https://hl7.org/fhir/R4/dosage.html. What is read:

- `sequence`; the first `doseAndRate` entry with a `doseQuantity` (value, unit or
  else code) or a `doseRange` (low → `dose_value`, high → `dose_high`);
- `timing.repeat`: frequency, frequencyMax, period, periodUnit, the count of
  `timeOfDay` entries and `boundsPeriod` (boundsDuration/boundsRange are not read);
- `timing.code`: its first coding's code (BID, Q4H, ...), else its text;
- `asNeededBoolean`, or any `asNeededCodeableConcept` → `as_needed`;
- `route` codings; `maxDosePerPeriod.numerator.value` (per its denominator).

A negative dose is invalid input (decision-rules §7). Any other malformed number
(a string dose, a fractional frequency) reads as None, so the engine reports the
dose as unreadable instead of guessing it.
"""

from __future__ import annotations

from painpath.domain import Dosage
from painpath.errors import FhirInputError
from painpath.fhir._dates import parse_period
from painpath.fhir._types import Json
from painpath.fhir._values import as_list, as_obj, as_str, codings, loose_number

__all__ = ["read_dosages"]


def _count(value: object) -> int | None:
    """A FHIR positiveInt/unsignedInt/integer; integral floats (1.0) accepted."""
    number = loose_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _dose(value: object, where: str, element: str) -> float | None:
    number = loose_number(value)
    if number is not None and number < 0:
        raise FhirInputError("dose is negative", f"{where} {element}", "a dose of zero or more")
    return number


def _quantity_unit(quantity: Json) -> str | None:
    return as_str(quantity.get("unit")) or as_str(quantity.get("code"))


def _dose_and_rate(
    dosage: Json, where: str, element: str
) -> tuple[float | None, str | None, float | None]:
    """(dose value, unit, high) from the first doseAndRate entry that has a dose."""
    for i, entry in enumerate(as_list(dosage.get("doseAndRate"))):
        if not isinstance(entry, dict):
            continue
        quantity = as_obj(entry.get("doseQuantity"))
        if quantity is not None:
            path = f"{element}.doseAndRate[{i}].doseQuantity.value"
            return _dose(quantity.get("value"), where, path), _quantity_unit(quantity), None
        dose_range = as_obj(entry.get("doseRange"))
        if dose_range is not None:
            path = f"{element}.doseAndRate[{i}].doseRange"
            low, high = as_obj(dose_range.get("low")) or {}, as_obj(dose_range.get("high")) or {}
            return (
                _dose(low.get("value"), where, f"{path}.low.value"),
                _quantity_unit(low) or _quantity_unit(high),
                _dose(high.get("value"), where, f"{path}.high.value"),
            )
    return None, None, None


def _timing_code(timing: Json) -> str | None:
    concept = as_obj(timing.get("code"))
    if concept is None:
        return None
    for coding in as_list(concept.get("coding")):
        if isinstance(coding, dict) and isinstance(code := coding.get("code"), str):
            return code
    return as_str(concept.get("text"))


def _max_per_period(dosage: Json) -> float | None:
    ratio = as_obj(dosage.get("maxDosePerPeriod"))
    numerator = as_obj(ratio.get("numerator")) if ratio is not None else None
    return loose_number(numerator.get("value")) if numerator is not None else None


def _read_one(dosage: Json, where: str, element: str) -> Dosage:
    dose_value, dose_unit, dose_high = _dose_and_rate(dosage, where, element)
    timing = as_obj(dosage.get("timing")) or {}
    repeat = as_obj(timing.get("repeat")) or {}
    time_of_day = repeat.get("timeOfDay")
    bounds = parse_period(
        repeat.get("boundsPeriod"), where, f"{element}.timing.repeat.boundsPeriod"
    )
    as_needed = dosage.get("asNeededBoolean") is True or isinstance(
        dosage.get("asNeededCodeableConcept"), dict
    )
    return Dosage(
        sequence=_count(dosage.get("sequence")),
        dose_value=dose_value,
        dose_unit=dose_unit,
        dose_high=dose_high,
        frequency=_count(repeat.get("frequency")),
        frequency_max=_count(repeat.get("frequencyMax")),
        period=loose_number(repeat.get("period")),
        period_unit=as_str(repeat.get("periodUnit")),
        time_of_day_count=len(time_of_day) if isinstance(time_of_day, list) else 0,
        timing_code=_timing_code(timing),
        as_needed=as_needed,
        bounds=bounds,
        route=codings(dosage.get("route")),
        max_per_period=_max_per_period(dosage),
    )


def read_dosages(value: object, where: str, element: str) -> tuple[Dosage, ...]:
    """Every Dosage of a `dosageInstruction` or `dosage` list.

    `where` (`Type/id`) and `element` (the list's name) locate errors.
    """
    if not isinstance(value, list):
        return ()
    return tuple(
        _read_one(dosage, where, f"{element}[{i}]")
        for i, dosage in enumerate(value)
        if isinstance(dosage, dict)
    )
