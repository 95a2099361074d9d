"""_values: total readers of JSON values."""

from __future__ import annotations

import pytest

from painpath.domain import Coding
from painpath.errors import FhirInputError
from painpath.fhir._values import (
    as_list,
    as_obj,
    as_str,
    codings,
    first_code,
    loose_number,
    number,
    reference,
)


def test_codings_keep_every_coding_as_given() -> None:
    concept = {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "82423001", "display": "Chronic pain"},
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G89.29"},
        ]
    }
    assert codings(concept) == (
        Coding("http://snomed.info/sct", "82423001", "Chronic pain"),
        Coding("http://hl7.org/fhir/sid/icd-10-cm", "G89.29", None),
    )


def test_malformed_codings_read_as_absent_parts() -> None:
    concept = {"coding": [{"system": ["x"], "code": 7, "display": {"a": 1}}, "junk", None]}
    assert codings(concept) == (Coding(None, None, None),)
    assert codings({"coding": "x"}) == ()
    assert codings("x") == ()


def test_equal_codings_are_shared() -> None:
    a = codings({"coding": [{"system": "s", "code": "c"}]})[0]
    b = codings({"coding": [{"system": "s", "code": "c"}]})[0]
    assert a is b


def test_first_code_skips_codings_without_a_code() -> None:
    assert first_code({"coding": [{"system": "s"}, {"code": "active"}]}) == "active"
    assert first_code({"text": "active"}) is None
    assert first_code(None) is None


def test_reference_reads_only_non_empty_strings() -> None:
    assert reference({"reference": "Patient/p1"}) == "Patient/p1"
    assert reference({"reference": ""}) is None
    assert reference({"display": "Jane"}) is None
    assert reference("Patient/p1") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (2.5, 2.5),
        (True, None),
        ("3", None),
        (None, None),
        (float("inf"), None),
        (10**400, None),
    ],
)
def test_loose_number_reads_only_finite_json_numbers(value: object, expected: float | None) -> None:
    assert loose_number(value) == expected


def test_number_refuses_what_is_not_a_number() -> None:
    assert number(4, "w", "e") == 4.0
    with pytest.raises(FhirInputError) as excinfo:
        number("four", "Observation/o valueInteger", "a number")
    assert (excinfo.value.what, excinfo.value.where) == (
        "value is not a number",
        "Observation/o valueInteger",
    )


def test_shape_readers_return_empty_for_other_shapes() -> None:
    assert as_obj([]) is None and as_obj({}) == {}
    assert as_list({}) == [] and as_list([1]) == [1]
    assert as_str(1) is None and as_str("a") == "a"
