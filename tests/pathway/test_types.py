"""Field types: each type accepts its values, refuses others, and says what it expects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from painpath.pathway import FIELD_TYPES, parse_pathway
from painpath.pathway._schema import FieldSpec
from painpath.pathway._types import FieldValueError, fmt_number, to_json

from ._support import PATHWAY, raw_definition

PLUS2 = timezone(timedelta(hours=2))

ACCEPTED: list[tuple[FieldSpec, Any, Any]] = [
    (FieldSpec(type="string"), "  Dr Example  ", "Dr Example"),
    (FieldSpec(type="text"), "line one\nline two", "line one\nline two"),
    (FieldSpec(type="date"), "2026-06-01", date(2026, 6, 1)),
    (FieldSpec(type="date"), date(2026, 6, 1), date(2026, 6, 1)),
    (
        FieldSpec(type="datetime"),
        "2026-06-01T09:30:00+02:00",
        datetime(2026, 6, 1, 9, 30, tzinfo=PLUS2),
    ),
    (FieldSpec(type="datetime"), "2026-06-01T07:30:00Z", datetime(2026, 6, 1, 7, 30, tzinfo=UTC)),
    (FieldSpec(type="integer", min=0, max=10), 0, 0),
    (FieldSpec(type="integer", min=0, max=10), 10, 10),
    (FieldSpec(type="integer"), -5, -5),
    (FieldSpec(type="number", min=0, max=100), 0, 0),
    (FieldSpec(type="number", min=0, max=100), 100.0, 100.0),
    (FieldSpec(type="number", min=0, max=100), 33.5, 33.5),
    (FieldSpec(type="boolean"), False, False),
    (FieldSpec(type="enum", values=["a", "b"]), "b", "b"),
    (FieldSpec(type="procedure-id"), "scs-trial", "scs-trial"),
    (
        FieldSpec(type="procedure-ids", min=1),
        ["scs-trial", "scs-implant"],
        ["scs-trial", "scs-implant"],
    ),
    (FieldSpec(type="procedure-ids"), [], []),
    (FieldSpec(type="checklist-step"), "gown", "gown"),
]

REFUSED: list[tuple[FieldSpec, Any, str]] = [
    (FieldSpec(type="string"), "", "is blank"),
    (FieldSpec(type="string"), "   ", "is blank"),
    (FieldSpec(type="string"), "two\nlines", "has a line break"),
    (FieldSpec(type="string"), "x" * 201, "has 201 characters"),
    (FieldSpec(type="string"), 5, "got int"),
    (FieldSpec(type="text"), "x" * 20001, "has 20001 characters"),
    (FieldSpec(type="text"), None, "got null"),
    (FieldSpec(type="date"), "2026-13-01", "got '2026-13-01'"),
    (FieldSpec(type="date"), "2026-06-01T09:00:00+00:00", "got '2026-06-01T09:00:00+00:00'"),
    (FieldSpec(type="date"), datetime(2026, 6, 1, tzinfo=UTC), "got datetime"),
    (FieldSpec(type="datetime"), "2026-06-01T09:30:00", "has no UTC offset"),
    (FieldSpec(type="datetime"), "2026-06-01", "got '2026-06-01'"),
    (FieldSpec(type="datetime"), "9:30 tomorrow", "got '9:30 tomorrow'"),
    (FieldSpec(type="datetime"), datetime(2026, 6, 1, 9, 30), "has no UTC offset"),
    (FieldSpec(type="datetime"), 1780000000, "got int"),
    (FieldSpec(type="integer", min=0, max=10), 11, "11 is out of range"),
    (FieldSpec(type="integer", min=0, max=10), -1, "-1 is out of range"),
    (FieldSpec(type="integer"), 3.0, "got float"),
    (FieldSpec(type="integer"), True, "got bool"),
    (FieldSpec(type="integer"), "7", "got str"),
    (FieldSpec(type="number", min=0, max=100), 100.5, "100.5 is out of range"),
    (FieldSpec(type="number", min=0, max=100), -0.1, "-0.1 is out of range"),
    (FieldSpec(type="number"), float("nan"), "is not a finite number"),
    (FieldSpec(type="number"), float("inf"), "is not a finite number"),
    (FieldSpec(type="number"), False, "got bool"),
    (FieldSpec(type="boolean"), "true", "got str"),
    (FieldSpec(type="boolean"), 1, "got int"),
    (FieldSpec(type="enum", values=["a", "b"]), "c", "got 'c'"),
    (FieldSpec(type="enum", values=["a", "b"]), 1, "got int"),
    (FieldSpec(type="procedure-id"), "", "is blank"),
    (FieldSpec(type="procedure-ids", min=1), [], "has 0 items"),
    (FieldSpec(type="procedure-ids", max=1), ["a", "b"], "has 2 items"),
    (FieldSpec(type="procedure-ids"), ["a", "a"], "lists a procedure twice"),
    (FieldSpec(type="procedure-ids"), ["a", 3], "item 1 got int"),
    (FieldSpec(type="procedure-ids"), "scs-trial", "got str"),
    (FieldSpec(type="checklist-step"), "coffee", "got 'coffee'"),
]


@pytest.mark.parametrize(
    ("spec", "raw", "typed"), ACCEPTED, ids=[f"{c[0].type}-{c[1]!r}" for c in ACCEPTED]
)
def test_each_type_accepts_its_values(spec: FieldSpec, raw: Any, typed: Any) -> None:
    assert FIELD_TYPES[spec.type].parse(raw, spec, PATHWAY) == typed


@pytest.mark.parametrize(
    ("spec", "raw", "what"), REFUSED, ids=[f"{c[0].type}-{c[2]}" for c in REFUSED]
)
def test_each_type_refuses_other_values_saying_how(spec: FieldSpec, raw: Any, what: str) -> None:
    with pytest.raises(FieldValueError) as info:
        FIELD_TYPES[spec.type].parse(raw, spec, PATHWAY)
    assert info.value.what == what


def test_every_type_is_exercised_both_ways() -> None:
    assert {s.type for s, _, _ in ACCEPTED} == set(FIELD_TYPES)
    assert {s.type for s, _, _ in REFUSED} == set(FIELD_TYPES)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (FieldSpec(type="string"), "one line of at most 200 characters"),
        (FieldSpec(type="text"), "non-blank text of at most 20000 characters"),
        (FieldSpec(type="date"), "a date YYYY-MM-DD"),
        (
            FieldSpec(type="datetime"),
            "a date-time with a UTC offset, e.g. 2026-06-01T09:30:00+02:00",
        ),
        (FieldSpec(type="integer", min=0, max=10), "a whole number from 0 to 10"),
        (FieldSpec(type="integer", min=0), "a whole number of at least 0"),
        (FieldSpec(type="integer", max=3), "a whole number of at most 3"),
        (FieldSpec(type="number", min=0, max=100), "a number from 0 to 100"),
        (FieldSpec(type="number"), "a number"),
        (FieldSpec(type="boolean"), "true or false"),
        (FieldSpec(type="enum", values=["a", "b"]), "one of: a, b"),
        (FieldSpec(type="procedure-id"), "a procedure id"),
        (
            FieldSpec(type="procedure-ids", min=1, max=3),
            "a list of distinct procedure ids, at least 1, at most 3",
        ),
    ],
)
def test_each_type_says_what_it_expects_in_plain_words(spec: FieldSpec, expected: str) -> None:
    assert FIELD_TYPES[spec.type].describe(spec, PATHWAY) == expected


def test_checklist_step_expects_one_of_the_checklist_steps() -> None:
    described = FIELD_TYPES["checklist-step"].describe(FieldSpec(type="checklist-step"), PATHWAY)
    assert described == "one of: " + ", ".join(PATHWAY.steps)


def test_text_limits_come_from_the_pathway_numbers() -> None:
    raw = raw_definition()
    raw["numbers"]["string-max-chars"]["value"] = 5
    short = parse_pathway(raw)
    with pytest.raises(FieldValueError, match="has 6 characters"):
        FIELD_TYPES["string"].parse("abcdef", FieldSpec(type="string"), short)


def test_stored_values_are_json_text_for_dates() -> None:
    moment = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert to_json(moment) == "2026-06-01T09:30:00+00:00"
    assert to_json(date(2026, 6, 1)) == "2026-06-01"
    assert to_json([date(2026, 6, 1)]) == ["2026-06-01"]
    assert to_json(7) == 7


def test_numbers_print_as_people_write_them() -> None:
    assert (fmt_number(30.0), fmt_number(2.5), fmt_number(0)) == ("30", "2.5", "0")
