"""`painpath synth` and `painpath screen` from the command line: output, summary, and errors
as one line on stderr with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "painpath", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "export"
    proc = run("synth", "--patients", "400", "--seed", "11", "--as-of", "2026-06-01", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "wrote 400 patients" in proc.stdout
    return folder


def test_screen_writes_a_ranked_worklist_and_prints_a_summary(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "worklist.parquet"
    proc = run("screen", str(export), "--as-of", "2026-06-01", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    rows = pq.read_table(out).to_pylist()
    assert summary["screened"] == len(rows) > 0
    assert sum(summary["by_status"].values()) == len(rows)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    order = list(summary["by_status"])
    positions = [order.index(r["status"]) for r in rows]
    assert positions == sorted(positions)
    assert all(r["why"] for r in rows if r["status"] != "not-indicated")


def test_screen_prints_tables_without_json(export: Path) -> None:
    proc = run("screen", str(export), "--as-of", "2026-06-01", "--top", "3")
    assert proc.returncode == 0, proc.stderr
    assert "refer-interventional" in proc.stdout
    assert "Worklist" in proc.stdout


def test_a_broken_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "Patient.000.ndjson").write_text('{"resourceType":"Patient","id":"p1"}\n')
    (tmp_path / "Condition.000.ndjson").write_text(
        '{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"}}\n'
        '{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/Jane Doe"\n'
    )
    proc = run("screen", str(tmp_path), "--as-of", "2026-06-01")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == (
        "painpath: Condition.000.ndjson line 2: not valid JSON "
        "(expected one FHIR resource as a JSON object per line)"
    )
    assert "Jane" not in proc.stderr


def test_a_patient_the_reader_refuses_is_listed_as_unreadable(tmp_path: Path) -> None:
    (tmp_path / "Patient.000.ndjson").write_text('{"resourceType":"Patient","id":"p1"}\n')
    (tmp_path / "Condition.000.ndjson").write_text(
        '{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},'
        '"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"M54.16"}]},'
        '"onsetDateTime":"last spring"}\n'
    )
    out = tmp_path / "worklist.ndjson"
    proc = run("screen", str(tmp_path), "--as-of", "2026-06-01", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["status"] == "unreadable"
    assert "Condition/c1" in row["why"] and "onsetDateTime" in row["why"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/export"], "painpath: /nonexistent/export: not a folder"),
        (["{export}", "--engine", "presto"], "painpath: --engine: unknown engine 'presto'"),
        (["{export}", "--master", "local[2]"], "painpath: --master: --master needs --engine spark"),
        (["{export}", "--out", "w.xlsx"], "painpath: --out: unknown output format '.xlsx'"),
        (["{export}", "--as-of", "June"], "painpath: --as-of: --as-of 'June' is not a date"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(export: Path, args: list[str], message: str) -> None:
    proc = run("screen", *[a.replace("{export}", str(export)) for a in args])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(message)
    assert len(proc.stderr.strip().splitlines()) == 1


def test_synth_refuses_a_folder_with_an_export(export: Path) -> None:
    proc = run("synth", "--patients", "5", "--as-of", "2026-06-01", str(export))
    assert proc.returncode == 2
    assert "already holds NDJSON files" in proc.stderr


def test_worker_processes_give_the_same_worklist_as_one_process(
    export: Path, tmp_path: Path
) -> None:
    tables = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.parquet"
        args = ["--as-of", "2026-06-01", "--out", str(out), "--workers", workers, "--json"]
        proc = run("screen", str(export), *args)
        assert proc.returncode == 0, proc.stderr
        tables.append(pq.read_table(out).to_pylist())
    assert tables[0] == tables[1]
    assert len(tables[0]) > 100


def test_the_command_and_the_package_load_neither_duckdb_nor_spark() -> None:
    code = (
        "import sys, painpath.cli, painpath.population; "
        "from typer.testing import CliRunner; "
        "CliRunner().invoke(painpath.cli.app, ['screen', '--help']); "
        "print(sorted(m for m in ('duckdb', 'pyspark') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
