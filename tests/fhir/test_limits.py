"""Shape limits of incoming FHIR JSON: depth, lone surrogates and control characters."""

from __future__ import annotations

import re
from typing import Any

import pytest

from painpath.errors import FhirInputError
from painpath.fhir import MAX_BUNDLE_ENTRIES, MAX_JSON_DEPTH, check_json_limits


def _nested(depth: int) -> Any:
    node: Any = []
    for _ in range(depth - 1):
        node = [node]
    return node


def test_nesting_up_to_the_limit_passes_and_one_more_level_is_refused() -> None:
    check_json_limits(_nested(MAX_JSON_DEPTH))
    with pytest.raises(FhirInputError, match="nested too deeply") as caught:
        check_json_limits({"entry": _nested(MAX_JSON_DEPTH)})
    assert caught.value.where is not None and caught.value.where.startswith("entry[0][0]")
    assert "..." in caught.value.where  # a long path is elided, the message stays one line


def test_a_deep_document_is_checked_without_recursion() -> None:
    check_json_limits(_nested(50), max_depth=100)
    with pytest.raises(FhirInputError):
        check_json_limits(_nested(100_000))


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("a\x00b", "U+0000"),
        ("\x1b[31m", "U+001B"),
        ("\ud800", "surrogate"),
        ("x\udfffy", "surrogate"),
    ],
)
def test_text_storage_cannot_hold_is_refused_with_its_path(text: str, what: str) -> None:
    bundle = {"entry": [{"resource": {"name": [{"family": text}]}}]}
    with pytest.raises(FhirInputError, match=re.escape(what)) as caught:
        check_json_limits(bundle)
    assert caught.value.where == "entry[0].resource.name[0].family"
    assert text not in caught.value.message  # the value itself is never echoed


def test_a_bad_key_is_refused_too() -> None:
    with pytest.raises(FhirInputError, match=r"U\+0000"):
        check_json_limits({"resource": {"a\x00": 1}})


def test_tabs_newlines_and_any_other_unicode_pass() -> None:
    check_json_limits({"note": "line 1\r\n\tline 2 — naïve 患者 😀 \u200b", "n": [1, 2.5, None]})


def test_a_bundle_of_more_entries_than_the_limit_is_refused() -> None:
    entry = {"resource": {"resourceType": "Basic"}}
    check_json_limits({"resourceType": "Bundle", "entry": [entry] * MAX_BUNDLE_ENTRIES})
    with pytest.raises(FhirInputError, match="entries") as caught:
        check_json_limits({"resourceType": "Bundle", "entry": [entry] * (MAX_BUNDLE_ENTRIES + 1)})
    assert caught.value.where == "entry"
