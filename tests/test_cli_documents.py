"""`painpath document ...`: a PDF on success; exit 2, one line and no file otherwise."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "fixtures" / "outcomes" / "esi-fifth-in-year.bundle.json"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "painpath", "document", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_prior_auth_writes_the_packet(tmp_path: Path) -> None:
    out = tmp_path / "pa.pdf"
    proc = run(
        "prior-auth",
        str(CASE),
        "--procedure",
        "esi-transforaminal-lumbar",
        "--as-of",
        "2026-06-01",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    pages = pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "NOT MET Fewer than 4 epidural injection sessions" in text


def test_care_plan_writes_a_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan.pdf"
    proc = run("care-plan", str(CASE), "--as-of", "2026-06-01", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_an_unknown_procedure_exits_2_with_one_line_and_no_file(tmp_path: Path) -> None:
    out = tmp_path / "pa.pdf"
    proc = run("prior-auth", str(CASE), "--procedure", "scs-implant", "--out", str(out))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "--procedure: scs-implant is not an option of this record" in proc.stderr
    assert not out.exists()


def test_a_bad_date_exits_2(tmp_path: Path) -> None:
    proc = run("care-plan", str(CASE), "--as-of", "June", "--out", str(tmp_path / "p.pdf"))
    assert proc.returncode == 2
    assert "--as-of 'June' is not a date" in proc.stderr


def test_importing_painpath_and_the_service_leaves_the_chart_and_pdf_libraries_unloaded() -> None:
    code = (
        "import sys, painpath, painpath.clinic, painpath.api, painpath.reports, painpath.cli\n"
        "print(sorted(m for m in ('matplotlib', 'fpdf', 'pyarrow') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_outcomes_of_a_bundle_as_csv_keep_missing_windows_empty(tmp_path: Path) -> None:
    import csv

    out = tmp_path / "o.csv"
    proc = run("outcomes", str(CASE), "--as-of", "2026-06-01", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["index_procedure"] == "Procedure/esi-1"  # the first of the four injections
    assert {r["status"] for r in rows} <= {"recorded", "missing", "not-due"}
    assert all(r["nrs"] == "" for r in rows if r["status"] != "recorded")


def test_outcomes_with_an_unknown_format_exit_2(tmp_path: Path) -> None:
    proc = run("outcomes", str(CASE), "--format", "xlsx", "--out", str(tmp_path / "o.x"))
    assert proc.returncode == 2 and "unknown format 'xlsx'" in proc.stderr
