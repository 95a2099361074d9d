"""The prefilter SQL keeps every coding the engine could match and drops what matches nothing."""

from __future__ import annotations

import duckdb
import pytest

from painpath.knowledge import load_knowledge
from painpath.population._prefilter import (
    ICD10_SYSTEM,
    SNOMED_SYSTEM,
    condition_predicate,
    normalized_code,
    screened_code_sets,
)

KB = load_knowledge()


def _kept(system: str, code: str) -> bool:
    norm = normalized_code("c")
    sql = f"SELECT {condition_predicate(KB, 's', 'c', 'n')} FROM (SELECT *, {norm} AS n FROM "
    sql += "(SELECT ? AS s, ? AS c))"
    row = duckdb.execute(sql, [system, code]).fetchall()[0]
    return bool(row[0])


def _examples() -> list[str]:
    """One code per pattern of every screened code set: exact codes, a child of each `X-`
    pattern, and both ends of each range."""
    found: list[str] = []
    for codes in screened_code_sets(KB):
        for pattern in codes.codes:
            if pattern.endswith("-"):
                found.append(pattern[:-1].rstrip(".") + ("1" if "." in pattern else ".1"))
            elif "-" in pattern:
                found.extend(pattern.split("-"))
            else:
                found.append(pattern)
    return sorted(set(found))


@pytest.mark.parametrize("code", _examples())
def test_every_pattern_of_an_option_or_red_flag_is_kept(code: str) -> None:
    assert _kept(ICD10_SYSTEM, code)


def test_codes_are_normalised_as_the_engine_reads_them() -> None:
    assert _kept(ICD10_SYSTEM, " m5416 ")
    assert _kept(ICD10_SYSTEM, "M54.5")  # retired, reads as M54.50


@pytest.mark.parametrize("code", ["M54.9", "G89.4", "I10", "E11.9"])
def test_codes_that_match_no_option_or_flag_are_dropped(code: str) -> None:
    assert not _kept(ICD10_SYSTEM, code)


def test_snomed_concepts_follow_the_knowledge_base_map() -> None:
    mapped = {c for c, icd in KB.snomed_to_icd.items() if icd == "M54.50"}
    assert mapped and all(_kept(SNOMED_SYSTEM, c) for c in mapped)
    unmapped = "38341003"  # hypertensive disorder: in no group or flag
    assert not _kept(SNOMED_SYSTEM, unmapped)
    assert not _kept("http://example.org/codes", "M54.16")
