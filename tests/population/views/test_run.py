"""run_view over real Bulk NDJSON (the Synthea 10-patient export) on DuckDB and Spark.

Expected rows come from reading the same files with `json` in the test (an independent
oracle), never from the runner itself.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from painpath.errors import InputError
from painpath.population.views import arrow_schema, bulk_files, compile_view, run_view

from .conftest import SYNTHEA_BULK

ON_SPARK_WORKER = pytest.mark.xdist_group("spark")

PATIENTS: dict[str, Any] = {
    "resource": "Patient",
    "select": [
        {
            "column": [
                {"name": "id", "path": "getResourceKey()", "type": "string"},
                {"name": "gender", "path": "gender", "type": "code"},
                {"name": "birth_date", "path": "birthDate", "type": "date"},
                {"name": "deceased", "path": "deceased.ofType(dateTime).exists()"},
            ]
        }
    ],
}

CONDITION_CODES: dict[str, Any] = {
    "resource": "Condition",
    "select": [
        {"column": [{"name": "patient", "path": "subject.getReferenceKey(Patient)"}]},
        {
            "forEach": "code.coding.where(system = %snomed)",
            "column": [{"name": "code", "path": "code"}, {"name": "n", "path": "%rowIndex"}],
        },
    ],
    "constant": [{"name": "snomed", "valueUri": "http://snomed.info/sct"}],
    "where": [{"path": "clinicalStatus.coding.code.first() = 'active'"}],
}


def _lines(name: str) -> list[dict[str, Any]]:
    text = (SYNTHEA_BULK / name).read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _expected_patients() -> list[tuple[Any, ...]]:
    return sorted(
        (p["id"], p.get("gender"), p.get("birthDate"), "deceasedDateTime" in p)
        for p in _lines("Patient.000.ndjson")
    )


def _expected_conditions() -> list[tuple[Any, ...]]:
    rows = []
    for c in _lines("Condition.000.ndjson"):
        if c["clinicalStatus"]["coding"][0]["code"] != "active":
            continue
        patient = c["subject"]["reference"].split("/")[-1]
        snomed = [x for x in c["code"]["coding"] if x.get("system") == "http://snomed.info/sct"]
        rows += [(patient, x["code"], i) for i, x in enumerate(snomed)]
    return sorted(rows)


def _rows(reader: pa.RecordBatchReader) -> list[tuple[Any, ...]]:
    table = reader.read_all()
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_bulk_files_groups_by_type_and_keeps_mixed_files_apart() -> None:
    found = bulk_files(SYNTHEA_BULK)
    assert found["Patient"] == [SYNTHEA_BULK / "Patient.000.ndjson"]
    assert found["*"] == [SYNTHEA_BULK / "log.ndjson"]  # a log file: read, filtered by type


def test_patients_on_duckdb_match_the_files() -> None:
    reader = run_view(PATIENTS, SYNTHEA_BULK, "duckdb")
    assert reader.schema == arrow_schema(compile_view(PATIENTS))
    assert _rows(reader) == _expected_patients()
    assert len(_expected_patients()) == 13


def test_conditions_with_foreach_where_and_reference_keys_on_duckdb() -> None:
    expected = _expected_conditions()
    assert expected  # the sample has active SNOMED conditions
    assert _rows(run_view(CONDITION_CODES, SYNTHEA_BULK, "duckdb")) == expected


@pytest.mark.xdist_group("spark")
def test_spark_gives_the_same_rows_as_duckdb(spark: Any) -> None:
    for view in (PATIENTS, CONDITION_CODES):
        on_spark = run_view(view, SYNTHEA_BULK, "spark", spark=spark)
        assert on_spark.schema == arrow_schema(compile_view(view))
        assert _rows(on_spark) == _rows(run_view(view, SYNTHEA_BULK, "duckdb"))


def _mixed_export(tmp_path: Path) -> Path:
    shutil.copy(SYNTHEA_BULK / "Patient.000.ndjson", tmp_path / "Patient.000.ndjson")
    extra = {"resourceType": "Patient", "id": "extra-1", "gender": "other"}
    condition = {"resourceType": "Condition", "id": "c-1", "subject": {"reference": "Patient/x"}}
    lines = [json.dumps(extra), json.dumps(condition), ""]
    (tmp_path / "output.ndjson").write_text("\n".join(lines))
    return tmp_path


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=ON_SPARK_WORKER)])
def test_mixed_files_are_filtered_by_resource_type(
    engine: str, tmp_path: Path, request: Any
) -> None:
    spark = request.getfixturevalue("spark") if engine == "spark" else None
    rows = _rows(run_view(PATIENTS, _mixed_export(tmp_path), engine, spark=spark))
    assert ("extra-1", "other", None, False) in rows
    assert len(rows) == 14


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=ON_SPARK_WORKER)])
def test_a_value_that_breaks_the_view_is_a_clear_error(engine: str, request: Any) -> None:
    spark = request.getfixturevalue("spark") if engine == "spark" else None
    view = {"resource": "Patient", "select": [{"column": [{"name": "n", "path": "name.given"}]}]}
    with pytest.raises(InputError) as info:
        run_view(view, SYNTHEA_BULK, engine, spark=spark).read_all()
    assert info.value.message == (
        "select[0].column[0] (n): column 'n' (not a collection) has more than one value"
    )


def test_no_files_for_the_type_gives_an_empty_table(tmp_path: Path) -> None:
    table = run_view(PATIENTS, tmp_path, "duckdb").read_all()
    assert table.num_rows == 0
    assert table.schema == arrow_schema(compile_view(PATIENTS))


def test_an_explicit_type_to_files_mapping_is_read() -> None:
    source = {"Patient": [SYNTHEA_BULK / "Patient.000.ndjson"]}
    assert _rows(run_view(PATIENTS, source, "duckdb")) == _expected_patients()
    with pytest.raises(InputError, match="does not exist"):
        run_view(PATIENTS, {"Patient": [SYNTHEA_BULK / "nope.ndjson"]}, "duckdb")


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(InputError, match="unknown engine 'polars'"):
        run_view(PATIENTS, SYNTHEA_BULK, "polars")


def test_a_string_that_looks_like_sql_internals_stays_a_string() -> None:
    view = {
        "resource": "Patient",
        "constant": [{"name": "t", "valueString": "__root_id__ rm[1] {src} it's"}],
        "select": [{"column": [{"name": "t", "path": "%t"}]}],
    }
    rows = run_view(view, SYNTHEA_BULK, "duckdb").read_all().column("t").to_pylist()
    assert rows == ["__root_id__ rm[1] {src} it's"] * 13
