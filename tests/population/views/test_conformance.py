"""The official SQL on FHIR v2 test suite, case by case, on DuckDB and on Spark.

Every shareable test must pass on both engines (expected-error tests: refused with a clear
InputError). Of the experimental tests, the three `join` tests pass; the eight
`lowBoundary`/`highBoundary` tests are refused as unsupported functions (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from painpath.errors import InputError
from painpath.population.views import compile_view, run_view
from painpath.population.views._conformance import run_case

from .conftest import CASES, case_id

UNSUPPORTED = ("lowBoundary", "highBoundary")


def _unsupported(test: dict[str, Any]) -> bool:
    text = str(test["view"])
    return "experimental" in test.get("tags", []) and any(f in text for f in UNSUPPORTED)


def _check(case: tuple[str, int, dict[str, Any]], folder: Path, runner: Any) -> None:
    _, _, test = case
    if _unsupported(test):
        with pytest.raises(InputError, match=r"function (low|high)Boundary\(\) is not supported"):
            compile_view(test["view"])
        return
    passed, reason = run_case(test, folder, "x", runner)
    assert passed, reason


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case_on_duckdb(
    case: tuple[str, int, dict[str, Any]], suite_exports: dict[str, Path]
) -> None:
    _check(case, suite_exports[case[0]], lambda v, b, _e: run_view(v, b, "duckdb"))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case_on_spark(
    case: tuple[str, int, dict[str, Any]], suite_exports: dict[str, Path], spark: Any
) -> None:
    _check(case, suite_exports[case[0]], lambda v, b, _e: run_view(v, b, "spark", spark=spark))


@pytest.mark.parametrize("case", [c for c in CASES if c[2].get("expectError")], ids=case_id)
def test_expected_errors_are_one_clear_line(
    case: tuple[str, int, dict[str, Any]], suite_exports: dict[str, Path]
) -> None:
    """A refused view says what and where in one line, without SQL or engine internals."""
    with pytest.raises(InputError) as info:
        run_view(compile_view(case[2]["view"]), suite_exports[case[0]], "duckdb").read_all()
    message = info.value.message
    assert "\n" not in message
    assert "SELECT" not in message and "painpath-view" not in message
    assert any(word in message for word in ("select", "view", "where", "constant", "column"))


def test_every_suite_tag_is_known() -> None:
    tags = {t for _, _, test in CASES for t in test.get("tags", [])}
    assert tags <= {"shareable", "tabular", "experimental"}
    assert len(CASES) == 134
