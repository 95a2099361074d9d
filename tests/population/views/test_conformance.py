"""The official SQL on FHIR v2 test suite, case by case, on DuckDB and on Spark.

Every shareable test must pass on both engines (expected-error tests: refused with a clear
InputError). On Spark, a file's row-returning tests share one job (`_spark_batch.py`).
Of the experimental tests, the three `join` tests pass; the eight
`lowBoundary`/`highBoundary` tests are refused as unsupported functions (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from painpath.errors import InputError
from painpath.population.views import compile_view, run_view
from painpath.population.views._conformance import run_case

from ._spark_batch import file_results
from .conftest import CASES, SUITE, case_id

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


@pytest.fixture(scope="session")
def spark_results(
    suite_exports: dict[str, Path], spark: Any
) -> Callable[[str], dict[int, tuple[bool, str]]]:
    """Results of a file's row-returning tests on Spark, one job per file, computed once."""
    cache: dict[str, dict[int, tuple[bool, str]]] = {}
    suite = dict(SUITE)

    def results(file_name: str) -> dict[int, tuple[bool, str]]:
        if file_name not in cache:
            data = suite[file_name]
            skip = {i for i, t in enumerate(data["tests"]) if _unsupported(t)}
            cache[file_name] = file_results(data, suite_exports[file_name], spark, skip)
        return cache[file_name]

    return results


@pytest.mark.xdist_group("spark")  # one worker runs them: one JVM, one job per file
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case_on_spark(
    case: tuple[str, int, dict[str, Any]],
    suite_exports: dict[str, Path],
    spark: Any,
    spark_results: Callable[[str], dict[int, tuple[bool, str]]],
) -> None:
    file_name, index, test = case
    if _unsupported(test) or test.get("expectError"):
        _check(
            case, suite_exports[file_name], lambda v, b, _e: run_view(v, b, "spark", spark=spark)
        )
        return
    passed, reason = spark_results(file_name)[index]
    assert passed, reason


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
