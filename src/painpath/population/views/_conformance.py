"""The official SQL on FHIR v2 test suite, run through the real file path of each engine.

Each test file's `resources` are written as a small Bulk export (`Type.ndjson`), then each
test's view runs with `run_view` exactly as `painpath views run` would. Rows are compared
as a multiset (the suite does not fix row order; both engines may return rows in any
order); numbers compare by value (5 equals 5.0). An `expectError` test passes when the view
is refused with an InputError, at compile time or when it meets the data.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from painpath.errors import InputError
from painpath.population.views._compile import compile_view
from painpath.population.views._run import run_view

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "CaseResult",
    "compare_rows",
    "load_suite",
    "report_json",
    "run_case",
    "run_conformance",
    "summarize",
]


@dataclass(frozen=True)
class CaseResult:
    file: str
    name: str
    tags: tuple[str, ...]
    passed: bool
    reason: str = ""


def load_suite(tests_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """The suite's test files (name, parsed JSON), from TESTS_DIR or TESTS_DIR/tests."""
    folder = tests_dir / "tests" if (tests_dir / "tests").is_dir() else tests_dir
    if not folder.is_dir():
        raise InputError(f"{tests_dir} is not a directory", "TESTS_DIR", "the suite's folder")
    files = sorted(p for p in folder.glob("*.json") if p.name != "tests.schema.json")
    if not files:
        raise InputError(f"no test files in {folder}", "TESTS_DIR", "*.json test files")
    suite = []
    for path in files:
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg})", str(path)) from None
        if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
            raise InputError("not a SQL on FHIR test file", str(path), "an object with tests")
        suite.append((path.name, data))
    return suite


def write_bulk(resources: list[dict[str, Any]], directory: Path) -> None:
    """Write resources as `Type.ndjson` files, one per type, in order."""
    by_type: dict[str, list[bytes]] = {}
    for resource in resources:
        by_type.setdefault(str(resource.get("resourceType")), []).append(orjson.dumps(resource))
    for rtype, lines in by_type.items():
        (directory / f"{rtype}.ndjson").write_bytes(b"\n".join(lines) + b"\n")


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return round(float(value), 9)
    if isinstance(value, list):
        return tuple(_norm(v) for v in value)
    return json.dumps(value, sort_keys=True)


def _row_key(row: dict[str, Any]) -> str:
    return json.dumps({k: _norm(v) for k, v in row.items()}, sort_keys=True, default=str)


def run_case(
    test: dict[str, Any], bulk_dir: Path, engine: str, runner: Callable[..., Any] = run_view
) -> tuple[bool, str]:
    """Run one test; (passed, reason)."""
    view = test.get("view")
    if test.get("expectError"):
        try:
            runner(compile_view(view), bulk_dir, engine).read_all()
        except InputError:
            return True, ""
        return False, "expected an error; the view ran"
    try:
        table = runner(compile_view(view), bulk_dir, engine).read_all()
    except InputError as exc:
        return False, f"refused: {exc.message}"
    return compare_rows(test, table.column_names, table.to_pylist())


def compare_rows(
    test: dict[str, Any], columns: list[str], rows: list[dict[str, Any]]
) -> tuple[bool, str]:
    """A test's expectation against a view's column names and rows; (passed, reason)."""
    if "expectColumns" in test and columns != test["expectColumns"]:
        return False, f"columns {columns}, expected {test['expectColumns']}"
    expected = test.get("expect", [])
    for row in expected:
        if set(row) != set(columns):
            return False, f"columns {columns}, expected {sorted(row)}"
    got = sorted(_row_key(r) for r in rows)
    want = sorted(_row_key(r) for r in expected)
    if got != want:
        return False, f"rows {got} expected {want}"
    return True, ""


def run_conformance(
    tests_dir: Path,
    engine: str = "duckdb",
    *,
    spark: SparkSession | None = None,
    master: str | None = None,
) -> list[CaseResult]:
    """Run every test of the suite on an engine."""
    suite = load_suite(tests_dir)

    def runner(view: Any, bulk: Path, eng: str) -> Any:
        return run_view(view, bulk, eng, spark=spark, master=master)

    results = []
    for file_name, data in suite:
        with tempfile.TemporaryDirectory(prefix="painpath-sof-") as tmp:
            bulk = Path(tmp)
            write_bulk(data.get("resources", []), bulk)
            for test in data["tests"]:
                passed, reason = run_case(test, bulk, engine, runner)
                tags = tuple(test.get("tags", []))
                results.append(CaseResult(file_name, test.get("title", ""), tags, passed, reason))
    return results


def report_json(results: list[CaseResult]) -> dict[str, Any]:
    """The suite's test_report.json: file name → {"tests": [{"name", "result"}]}."""
    report: dict[str, Any] = {}
    for r in results:
        result: dict[str, Any] = {"passed": r.passed}
        if r.reason:
            result["reason"] = r.reason
        report.setdefault(r.file, {"tests": []})["tests"].append({"name": r.name, "result": result})
    return report


def summarize(results: list[CaseResult], engine: str) -> tuple[str, bool]:
    """Pass counts by tag (a test counts under each of its tags), and whether every
    non-experimental test passed."""
    by_tag: dict[str, list[int]] = {}
    for r in results:
        for tag in r.tags or ("untagged",):
            counts = by_tag.setdefault(tag, [0, 0])
            counts[0] += r.passed
            counts[1] += 1
    lines = [f"SQL on FHIR v2 conformance on {engine}:"]
    lines += [f"  {tag}: {p}/{n} passed" for tag, (p, n) in sorted(by_tag.items())]
    failed = [r for r in results if not r.passed and "experimental" not in r.tags]
    lines += [f"  FAILED {r.file}: {r.name} ({r.reason[:200]})" for r in failed]
    return "\n".join(lines) + "\n", not failed
