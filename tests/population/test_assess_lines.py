"""`bundle_of`: a screened patient's lines become one Bundle, whatever order they come in."""

from __future__ import annotations

import itertools

import orjson
import pytest

from painpath.errors import InputError
from painpath.population._assess import bundle_of

_LINES = [
    orjson.dumps(resource).decode()
    for resource in (
        {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p"}},
        {"resourceType": "Patient", "id": "p"},
        {"resourceType": "Condition", "id": "c0", "subject": {"reference": "Patient/p"}},
        {"resourceType": "Condition", "id": "c0", "note": [{"text": "a second version"}]},
        {"resourceType": "MedicationRequest", "id": "m", "subject": {"reference": "Patient/p"}},
    )
]


def _entries(lines: list[str]) -> list[dict[str, object]]:
    return [entry["resource"] for entry in bundle_of(lines)["entry"]]


def test_the_patient_comes_first_then_type_id_and_line_text() -> None:
    kinds = [(r["resourceType"], r["id"], "note" in r) for r in _entries(_LINES)]
    assert kinds == [
        ("Patient", "p", False),
        ("Condition", "c0", True),  # its line's text: ...,"note"... < ...,"subject"...
        ("Condition", "c0", False),
        ("Condition", "c1", False),
        ("MedicationRequest", "m", False),
    ]


def test_every_order_of_the_lines_gives_the_same_bundle() -> None:
    expected = bundle_of(_LINES)
    for order in itertools.permutations(_LINES):
        assert bundle_of(list(order)) == expected


def test_a_line_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InputError, match="not a JSON object"):
        bundle_of([*_LINES, "[1, 2]"])
