"""Every ICD-10-CM code and pattern in the knowledge files exists in the April 2026 release.

The release is the one shipped in simple-icd-10-cm 1.5.0. Patterns (decision-rules §0):
`M54.16` an exact code (a valid item); `M54.1-` the code and its children (`M54.1` valid);
`C00-C96` a range of categories (both endpoints valid categories). SNOMED CT targets and the
targets of retired codes must be billable codes (leaves of the tabular list).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import simple_icd_10_cm as icd
import yaml

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "painpath" / "knowledge" / "data"
YAML_FILES = sorted(DATA_DIR.glob("*.yaml"))

# decision-rules §0: the SNOMED CT concepts the rules name, with their required targets.
REQUIRED_SNOMED = {
    "278860009": "M54.50",
    "1121000119107": "M54.2",
    "202725007": "M96.1",
    "192970008": "G83.4",
    "5602001": "F11.10",
    "82423001": "G89.29",
    "239873007": "M17.9",
    "239872002": "M16.9",
    "368581000119106": "E11.40",
    "68962001": "M79.10",
    "57676002": "M25.50",
    "95417003": "M79.7",
    "39848009": "S13.4XXA",
}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def pattern_problem(pattern: str) -> str | None:
    """Why an ICD-10-CM pattern is not valid in the release, or None when it is."""
    if not isinstance(pattern, str) or not pattern.strip():
        return f"not a code: {pattern!r}"
    if pattern.endswith("-"):
        stem = pattern[:-1].rstrip(".")
        if not icd.is_valid_item(stem):
            return f"{pattern}: {stem} is not an ICD-10-CM code"
        return None
    if "-" in pattern:
        low, _, high = pattern.partition("-")
        bad = [end for end in (low, high) if not icd.is_category(end)]
        if bad:
            return f"{pattern}: {', '.join(bad)} not an ICD-10-CM category"
        if low > high:
            return f"{pattern}: range runs backwards"
        return None
    if not icd.is_valid_item(pattern):
        return f"{pattern}: not an ICD-10-CM code"
    return None


def billable_problem(code: str) -> str | None:
    """Why a code is not a billable ICD-10-CM code (a leaf), or None when it is."""
    if not isinstance(code, str) or not icd.is_valid_item(code):
        return f"{code!r}: not an ICD-10-CM code"
    if not icd.is_leaf(code):
        return f"{code}: not billable (it has children)"
    return None


def icd_code_sets(node: Any, path: str) -> Iterator[tuple[str, list[Any]]]:
    """Yield (path, patterns) for every ICD-10-CM code list below `node`.

    A code set is a mapping with a `codes` list and no `system`, or system `icd-10-cm`; its
    `exclude` list is checked too.
    """
    if isinstance(node, dict):
        if isinstance(node.get("codes"), list) and node.get("system", "icd-10-cm") == "icd-10-cm":
            yield f"{path}.codes", node["codes"]
            if isinstance(node.get("exclude"), list):
                yield f"{path}.exclude", node["exclude"]
        for key, value in node.items():
            yield from icd_code_sets(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from icd_code_sets(value, f"{path}[{index}]")


def test_the_release_is_april_2026() -> None:
    # Codes added in FY2025 and FY2026 exist; the retired M54.5 is no longer billable.
    assert icd.is_leaf("M51.360")
    assert icd.is_valid_item("M54.5")
    assert not icd.is_leaf("M54.5")


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("M54.16", True),
        ("M54.1-", True),
        ("G58.-", True),
        ("Z3A.-", True),
        ("C00-C96", True),
        ("O00-O9A", True),
        ("M54.99", False),
        ("M54.7-", False),
        ("C00-C9Z", False),
        ("C96-C00", False),
    ],
)
def test_pattern_checker(pattern: str, ok: bool) -> None:
    assert (pattern_problem(pattern) is None) is ok


def test_every_icd_pattern_exists() -> None:
    problems: list[str] = []
    checked: set[str] = set()
    for path in YAML_FILES:
        for where, patterns in icd_code_sets(_load(path), ""):
            checked.add(path.name)
            for index, pattern in enumerate(patterns):
                problem = pattern_problem(pattern)
                if problem:
                    problems.append(f"{path.name}: {where.lstrip('.')}[{index}]: {problem}")
    assert "conditions.yaml" in checked, "no ICD-10-CM code set found in conditions.yaml"
    assert not problems, "\n".join(problems)


def test_retired_code_targets_are_billable() -> None:
    conditions = _load(DATA_DIR / "conditions.yaml")
    problems = [
        f"conditions.yaml: retired_codes.{old}: {problem}"
        for old, new in (conditions.get("retired_codes") or {}).items()
        if (problem := billable_problem(new))
    ]
    assert not problems, "\n".join(problems)


def test_snomed_targets_are_billable() -> None:
    snomed = _load(DATA_DIR / "snomed.yaml")
    problems = [
        f"snomed.yaml: mappings[{index}] ({mapping.get('snomed')}): {problem}"
        for index, mapping in enumerate(snomed["mappings"])
        if (problem := billable_problem(mapping.get("icd10")))
    ]
    assert not problems, "\n".join(problems)


def test_snomed_concepts_are_unique_and_the_required_ones_present() -> None:
    mappings = _load(DATA_DIR / "snomed.yaml")["mappings"]
    seen: dict[str, int] = {}
    problems: list[str] = []
    for index, mapping in enumerate(mappings):
        concept = mapping["snomed"]
        if not concept.isdigit():
            problems.append(f"snomed.yaml: mappings[{index}]: {concept!r} is not a SNOMED CT id")
        if concept in seen:
            problems.append(
                f"snomed.yaml: mappings[{index}]: {concept} repeats mappings[{seen[concept]}]"
            )
        seen.setdefault(concept, index)
    targets = {m["snomed"]: m["icd10"] for m in mappings}
    for concept, expected in REQUIRED_SNOMED.items():
        if targets.get(concept) != expected:
            problems.append(
                f"snomed.yaml: {concept} must map to {expected}, found {targets.get(concept)}"
            )
    assert not problems, "\n".join(problems)


def test_snomed_file_matches_its_schema() -> None:
    from painpath.knowledge._schema import SnomedFile

    SnomedFile.model_validate(_load(DATA_DIR / "snomed.yaml"))
