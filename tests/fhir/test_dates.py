"""_dates: FHIR date, dateTime and Period values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from painpath.domain import Period, When
from painpath.errors import FhirInputError
from painpath.fhir._dates import parse_day, parse_end_day, parse_period, parse_when


def test_a_full_date_reads_as_that_day_without_time() -> None:
    assert parse_when("2026-04-02", "x", "e") == When(date(2026, 4, 2))


def test_a_datetime_keeps_its_written_day_and_its_offset() -> None:
    when = parse_when("2026-04-02T23:30:00-05:00", "x", "e")
    assert when is not None
    assert when.day == date(2026, 4, 2)  # not the UTC date (3 April)
    assert when.instant == datetime(2026, 4, 2, 23, 30, tzinfo=timezone(timedelta(hours=-5)))


def test_a_datetime_in_utc_with_fractional_seconds_reads() -> None:
    when = parse_when("2011-10-14T23:37:54.530+00:00", "x", "e")
    assert when is not None and when.instant is not None
    assert when.instant.microsecond == 530000
    assert parse_when("2026-05-22T10:00:00Z", "x", "e") == When(
        date(2026, 5, 22), datetime(2026, 5, 22, 10, tzinfo=UTC)
    )


def test_a_datetime_without_offset_is_taken_as_utc() -> None:
    when = parse_when("2026-05-22T10:00:00", "x", "e")
    assert when is not None and when.instant == datetime(2026, 5, 22, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-11", date(2025, 11, 1), date(2025, 11, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-11-13", date(2025, 11, 13), date(2025, 11, 13)),
    ],
)
def test_partial_dates_start_on_the_first_and_end_on_the_last_day(
    text: str, start: date, end: date
) -> None:
    assert parse_day(text, "x", "e") == start
    assert parse_end_day(text, "x", "e") == end


@pytest.mark.parametrize(
    "text",
    [
        "last spring",
        "2026-13-01",
        "2026-02-30",
        "20260402",
        "2026-W14-4",
        "26-04-02",
        "0000",
        "2026-04-02T25:00:00Z",
        "2026-4-2",
        "２０２６",
        "2026-04-02T10:00:00+99:00",
        "",
    ],
)
def test_text_that_is_not_a_fhir_date_is_refused(text: str) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        parse_when(text, "Condition/c1", "onsetDateTime")
    assert excinfo.value.what == "date does not parse"
    assert excinfo.value.where == "Condition/c1 onsetDateTime"
    assert excinfo.value.expected is not None and "YYYY-MM-DD" in excinfo.value.expected


@pytest.mark.parametrize("value", [20260402, ["2026-04-02"], {"value": "2026"}, True])
def test_a_date_that_is_not_a_string_is_refused(value: object) -> None:
    with pytest.raises(FhirInputError):
        parse_day(value, "x", "e")


def test_absent_dates_read_as_none() -> None:
    assert parse_when(None, "x", "e") is None
    assert parse_day(None, "x", "e") is None
    assert parse_end_day(None, "x", "e") is None


def test_a_period_reads_its_start_and_its_end() -> None:
    assert parse_period({"start": "2025-11", "end": "2026-01"}, "p", "e") == Period(
        date(2025, 11, 1), date(2026, 1, 31)
    )
    assert parse_period({"start": "2020-10-29"}, "p", "e") == Period(date(2020, 10, 29), None)


def test_an_empty_or_malformed_period_reads_as_none() -> None:
    assert parse_period({}, "p", "e") is None
    assert parse_period("2025", "p", "e") is None
    assert parse_period(None, "p", "e") is None


def test_a_bad_period_end_names_the_end() -> None:
    with pytest.raises(FhirInputError) as excinfo:
        parse_period(
            {"start": "2025-01-01", "end": "soon"}, "MedicationRequest/m", "validityPeriod"
        )
    assert excinfo.value.where == "MedicationRequest/m validityPeriod.end"


def test_repeated_values_read_the_same() -> None:
    first = parse_when("2026-01-02T03:04:05+01:00", "x", "e")
    assert parse_when("2026-01-02T03:04:05+01:00", "y", "e") == first
