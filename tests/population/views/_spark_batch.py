"""The suite's row-returning tests of one file in ONE Spark job (the test-time budget).

Each test's view is compiled exactly as `run_view` compiles it (`CompiledView.sql("spark",
...)`) and reads the same NDJSON through `spark_source_view`; the queries of a file are run
together as `UNION ALL` of `(case_id, to_json(row))`, so Spark plans and schedules once per
file instead of once per test. If that job fails, each test runs alone through `run_view`,
so a failure still names its test. Expected-error tests always run alone (they must raise).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from painpath.errors import InputError
from painpath.population.views import compile_view, run_view
from painpath.population.views._conformance import compare_rows, run_case
from painpath.population.views._run import spark_source_view
from painpath.population.views._source import files_for


def file_results(
    data: dict[str, Any], bulk: Path, spark: Any, skip: set[int]
) -> dict[int, tuple[bool, str]]:
    """(passed, reason) by test index for the file's tests that expect rows."""
    tests = data["tests"]
    views: dict[str, str] = {}
    parts: list[str] = []
    columns: dict[int, list[str]] = {}
    results: dict[int, tuple[bool, str]] = {}
    for i, test in enumerate(tests):
        if test.get("expectError") or i in skip:
            continue
        try:
            compiled = compile_view(test["view"])
        except InputError as exc:
            results[i] = (False, f"refused: {exc.message}")
            continue
        typed = files_for(bulk, compiled.resource).typed
        if not typed:
            results[i] = compare_rows(test, compiled.column_names, [])
            continue
        if compiled.resource not in views:
            views[compiled.resource] = spark_source_view(spark, typed)
        sql = compiled.sql("spark", views[compiled.resource])
        parts.append(
            f"SELECT {i} AS case_id, to_json(struct(*), map('ignoreNullFields', 'false')) AS row"
            f" FROM ({sql}) AS q{i}"
        )
        columns[i] = compiled.column_names
    if not parts:
        return results
    rows: dict[int, list[dict[str, Any]]] = {i: [] for i in columns}
    try:
        for record in spark.sql(" UNION ALL ".join(parts)).collect():
            rows[record.case_id].append(orjson.loads(record.row))
    except Exception:  # one test broke the shared job: run each alone to name it
        for i in columns:
            results[i] = run_case(
                tests[i], bulk, "spark", lambda v, b, e: run_view(v, b, e, spark=spark)
            )
        return results
    for i, names in columns.items():
        got = rows[i]
        results[i] = compare_rows(tests[i], list(got[0]) if got else names, got)
    return results
