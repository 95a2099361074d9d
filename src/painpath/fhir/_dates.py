"""FHIR `date`, `dateTime` and `Period` values read into `When`, `date` and `Period`.

FHIR R4 dates are `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a dateTime adds
`Thh:mm:ss[.fff][Z|±hh:mm]` (https://hl7.org/fhir/R4/datatypes.html#dateTime).

- `When.day` is the calendar date as written (no conversion to UTC), and
  `When.instant` the aware datetime when a time was given (UTC when the source
  gave no offset, which FHIR does not allow but real systems send).
- A partial date reads as the **first** day of its year or month where it starts
  something or stands alone (onset, authoredOn, performedDateTime, a period's
  start), and as the **last** day where it ends a period (`Period.end`): a course
  recorded as ending "2025-11" lasted through 30 November.
- A value that is not a string or does not parse raises `FhirInputError` naming
  the field (decision-rules §7: a date the rules read that does not parse).

Parsing uses `date.fromisoformat`/`datetime.fromisoformat` behind a shape check,
so the basic ISO forms that Python also accepts (`20260402`, week dates) are
rejected as FHIR does. Where only the calendar date is needed, a dateTime is still
checked in full but no `When` is built; date-only values, which recur, are cached.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

from painpath.domain import Period, When
from painpath.errors import FhirInputError

__all__ = ["parse_day", "parse_end_day", "parse_period", "parse_when"]

_DATE_EXPECTED = "a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)"


class _Unparsed(ValueError):
    """A value that is not a FHIR date (the caller names where it is)."""


def _partial(text: str, *, end: bool) -> date:
    """A `YYYY` or `YYYY-MM` value as its first (or last, for an end) day."""
    n = len(text)
    if text.isascii():
        if n == 4 and text.isdigit():
            year = int(text)
            return date(year, 12, 31) if end else date(year, 1, 1)
        if n == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
    raise _Unparsed


def _is_datetime(value: str) -> bool:
    """True for the `YYYY-MM-DDThh:mm...` shape (the parse still checks every part)."""
    return (
        len(value) >= 16
        and value[10] == "T"
        and value[4] == "-"
        and value[13] == ":"
        and value.isascii()
    )


def _datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_DAYS: dict[tuple[str, bool], date] = {}
_CACHE_MAX = 4096


def _day(value: object, *, end: bool) -> date:
    """The calendar date of a date or dateTime; ValueError when it does not parse.

    Date-only values (which recur: onsets, birth dates) are cached; a dateTime's date is
    the date as written, read after the whole value has been checked.
    """
    if not isinstance(value, str):
        raise _Unparsed
    if _is_datetime(value):
        datetime.fromisoformat(value)  # validates; the written date is the first ten characters
        return date.fromisoformat(value[:10])
    key = (value, end)
    found = _DAYS.get(key)
    if found is None:
        n = len(value)
        if n == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
            found = date.fromisoformat(value)
        else:
            found = _partial(value, end=end)
        if len(_DAYS) >= _CACHE_MAX:
            _DAYS.clear()
        _DAYS[key] = found
    return found


def _when(value: object) -> When:
    if isinstance(value, str) and _is_datetime(value):
        moment = _datetime(value)
        return When(moment.date(), moment)
    return When(_day(value, end=False))


def _bad(where: str, element: str) -> FhirInputError:
    return FhirInputError("date does not parse", f"{where} {element}", _DATE_EXPECTED)


def parse_when(value: object, where: str, element: str) -> When | None:
    """A date or dateTime as a `When`; None when absent. Partial dates read as their first day.

    `where` (`Type/id`) and `element` name the value in an error message.
    """
    if value is None:
        return None
    try:
        return _when(value)
    except ValueError:
        raise _bad(where, element) from None


def parse_day(value: object, where: str, element: str) -> date | None:
    """A date or dateTime as its calendar date; None when absent; partial → first day."""
    if value is None:
        return None
    try:
        return _day(value, end=False)
    except ValueError:
        raise _bad(where, element) from None


def parse_end_day(value: object, where: str, element: str) -> date | None:
    """A date or dateTime that ends a period, as its calendar date; partial → last day."""
    if value is None:
        return None
    try:
        return _day(value, end=True)
    except ValueError:
        raise _bad(where, element) from None


def parse_period(value: object, where: str, element: str) -> Period | None:
    """A FHIR Period as dates (start: first day, end: last day of a partial date).

    None when absent, not an object, or with neither end given.
    """
    if not isinstance(value, dict):
        return None
    start = value.get("start")
    end = value.get("end")
    if start is None and end is None:
        return None
    return Period(
        parse_day(start, where, f"{element}.start") if start is not None else None,
        parse_end_day(end, where, f"{element}.end") if end is not None else None,
    )
