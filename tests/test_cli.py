"""The `painpath` command: output on success; exit 2, one line, nothing on stdout otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = ROOT.parent / "shared" / "vignettes"
SCHEMA = json.loads((ROOT / "src/painpath/schemas/assessment-v1.schema.json").read_text())


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "painpath", *args], capture_output=True, text=True, timeout=60
    )


def test_assess_prints_a_schema_valid_document() -> None:
    proc = run("assess", str(VIGNETTES / "radicular-ready.bundle.json"), "--as-of", "2026-06-01")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    Draft202012Validator(SCHEMA).validate(doc)
    assert doc["status"] == "refer-interventional"
    assert doc["as_of"] == "2026-06-01"


def test_text_format_shows_status_options_next_steps_and_sources() -> None:
    proc = run(
        "assess",
        str(VIGNETTES / "warfarin-esi.bundle.json"),
        "--as-of",
        "2026-06-01",
        "--format",
        "text",
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for part in ("Status:", "Options (best first):", "Next steps:", "Sources:", "warfarin"):
        assert part in out
    assert "Hold warfarin 5 days" in out


def test_payer_none_gives_null_coverage() -> None:
    proc = run(
        "assess",
        str(VIGNETTES / "radicular-ready.bundle.json"),
        "--as-of",
        "2026-06-01",
        "--payer",
        "none",
    )
    assert proc.returncode == 0
    assert all(o["coverage"] is None for o in json.loads(proc.stdout)["options"])


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["assess", "/no/such/file.json"], "cannot read"),
        (["assess", str(ROOT / "pyproject.toml")], "not valid JSON"),
        (["assess", str(VIGNETTES / "knee-oa.bundle.json"), "--as-of", "2026-13-01"], "--as-of"),
        (["assess", str(VIGNETTES / "knee-oa.bundle.json"), "--payer", "aetna"], "unknown payer"),
        (["assess", str(VIGNETTES / "knee-oa.bundle.json"), "--format", "xml"], "unknown format"),
        (["knowledge", "pets"], "unknown kind"),
        (["knowledge", "show", "no-such-id"], "no knowledge entry"),
        (["knowledge", "show"], "needs an id"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_stdout(args: list[str], fragment: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_not_a_bundle_names_where_and_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"resourceType": "Patient", "id": "x"}))
    proc = run("assess", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Bundle" in proc.stderr


def test_knowledge_summary_and_lists() -> None:
    summary = run("knowledge")
    assert summary.returncode == 0 and "procedures: 22" in summary.stdout
    listed = json.loads(run("knowledge", "procedures", "--json").stdout)
    assert len(listed) == 22 and listed[0]["id"]
    for kind in ("conditions", "policies", "drugs", "sources"):
        proc = run("knowledge", kind)
        assert proc.returncode == 0 and proc.stdout.strip()


def test_knowledge_show_explains_an_entry_with_its_sources() -> None:
    proc = run("knowledge", "show", "facet-rfa-lumbar")
    assert proc.returncode == 0
    assert "Sources:" in proc.stdout and "cms-pfs-2026" in proc.stdout
    drug = json.loads(run("knowledge", "show", "oxycodone", "--json").stdout)
    assert drug["opioid_factors"][0]["factor"] == 1.5
    assert any(s["id"] == "cdc-opioid-2022" for s in drug["sources"])


def test_help_shows_an_example() -> None:
    proc = run("assess", "--help")
    assert proc.returncode == 0 and "Example:" in proc.stdout
