"""`painpath views run` and `painpath views conformance` as a user runs them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from painpath.cli import app

from .conftest import SUITE_DIR, SYNTHEA_BULK

RUNNER = CliRunner()

VIEW = {
    "resource": "Patient",
    "select": [
        {
            "column": [
                {"name": "id", "path": "id", "type": "id"},
                {"name": "given", "path": "name.given", "collection": True},
            ]
        }
    ],
}


def _patient_ids() -> set[str]:
    lines = (SYNTHEA_BULK / "Patient.000.ndjson").read_text().splitlines()
    return {json.loads(line)["id"] for line in lines if line.strip()}


@pytest.fixture
def view_file(tmp_path: Path) -> Path:
    path = tmp_path / "patients.view.json"
    path.write_text(json.dumps(VIEW))
    return path


@pytest.mark.parametrize("suffix", [".parquet", ".ndjson", ".csv"])
def test_views_run_writes_every_format(view_file: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"patients{suffix}"
    result = RUNNER.invoke(
        app, ["views", "run", str(view_file), str(SYNTHEA_BULK), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "13 rows of Patient written" in result.output
    if suffix == ".parquet":
        table = pq.read_table(out)
        assert set(table.column("id").to_pylist()) == _patient_ids()
        assert all(isinstance(g, list) and g for g in table.column("given").to_pylist())
    elif suffix == ".ndjson":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert {r["id"] for r in rows} == _patient_ids()
        assert all(isinstance(r["given"], list) for r in rows)
    else:
        with out.open(newline="") as handle:
            header, *rows = list(csv.reader(handle))
        assert header == ["id", "given"]
        assert {r[0] for r in rows} == _patient_ids()
        assert all(isinstance(json.loads(r[1]), list) for r in rows)  # a list as a JSON array


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.xlsx"], "--out: cannot write x.xlsx"),
        (["--out", "x.csv", "--engine", "polars"], "--engine: unknown engine 'polars'"),
        (["--out", "x.csv", "--master", "local[2]"], "--master: --master needs --engine spark"),
    ],
)
def test_views_run_bad_options_exit_2_with_one_line(
    view_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = RUNNER.invoke(app, ["views", "run", str(view_file), str(SYNTHEA_BULK), *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"painpath: {message}")


def test_views_run_bad_view_names_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resource": "Patient", "select": [{"forEach": "@@"}]}))
    result = RUNNER.invoke(app, ["views", "run", str(bad), str(SYNTHEA_BULK), "--out", "x.csv"])
    assert result.exit_code == 2
    assert result.output.startswith("painpath: select[0].forEach: cannot read the FHIRPath '@@'")


def test_views_conformance_writes_the_suite_report(tmp_path: Path) -> None:
    tests = tmp_path / "suite"
    tests.mkdir()
    for name in ("basic.json", "fn_join.json", "validate.json"):
        shutil.copy(SUITE_DIR / "tests" / name, tests / name)
    report = tmp_path / "test_report.json"
    result = RUNNER.invoke(app, ["views", "conformance", str(tests), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "shareable: 16/16 passed" in result.output
    assert "experimental: 3/3 passed" in result.output
    data = json.loads(report.read_text())
    assert sorted(data) == ["basic.json", "fn_join.json", "validate.json"]
    assert data["validate.json"]["tests"][0] == {"name": "empty", "result": {"passed": True}}
    assert all(t["result"]["passed"] for f in data.values() for t in f["tests"])


def test_views_conformance_exits_1_when_a_shareable_test_fails(tmp_path: Path) -> None:
    suite = json.loads((SUITE_DIR / "tests" / "basic.json").read_text())
    suite["tests"] = suite["tests"][:1]
    suite["tests"][0]["expect"] = [{"id": "not-there"}]
    (tmp_path / "broken.json").write_text(json.dumps(suite))
    report = tmp_path / "r.json"
    result = RUNNER.invoke(app, ["views", "conformance", str(tmp_path), "--report", str(report)])
    assert result.exit_code == 1
    assert "shareable: 0/1 passed" in result.output
    assert "FAILED broken.json: basic attribute" in result.output
    assert json.loads(report.read_text())["broken.json"]["tests"][0]["result"]["passed"] is False
