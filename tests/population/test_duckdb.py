"""DuckDB hands over each kept patient's lines, keeping the Observations the reader may read."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from painpath import assess
from painpath.knowledge import load_knowledge
from painpath.population import Screening, screen_documents
from painpath.population._assess import bundle_of
from painpath.population._duckdb import duckdb_groups
from painpath.population._export import observation_pattern, open_export

KB = load_knowledge()
LOINC = "http://loinc.org"
PAINPATH = KB.instruments.painpath_system
AS_OF = date(2026, 6, 1)


def _observation(oid: str, code: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": code,
        "effectiveDateTime": "2026-05-01",
        **more,
    }


def _coding(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _export(folder: Path, observations: list[str]) -> Path:
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": _coding("http://hl7.org/fhir/sid/icd-10-cm", "M54.16"),
        "onsetDateTime": "2025-01-01",
    }
    (folder / "Patient.000.ndjson").write_text(
        '{"resourceType":"Patient","id":"p1","birthDate":"1960-01-01"}\n'
    )
    (folder / "Condition.000.ndjson").write_text(json.dumps(condition) + "\n")
    (folder / "Observation.000.ndjson").write_text("\n".join(observations) + "\n")
    return folder


def _handed_over(folder: Path) -> list[str]:
    (group,) = list(duckdb_groups(KB, open_export(folder)))
    assert group[0] == "p1"
    return sorted(json.loads(line)["id"] for line in group[1])


def test_observations_coded_for_the_reader_are_kept_and_others_dropped(tmp_path: Path) -> None:
    lines = [
        json.dumps(_observation("nrs", _coding(LOINC, "72514-3"), valueInteger=7)),
        json.dumps(_observation("pulse", _coding(LOINC, "8867-4"), valueInteger=70)),
        json.dumps(_observation("longer-code", _coding(LOINC, "172514-3"), valueInteger=1)),
        json.dumps(
            _observation(
                "in-component",
                _coding(LOINC, "8867-4"),
                component=[{"code": _coding(PAINPATH, "percent-relief"), "valueInteger": 80}],
            )
        ),
        json.dumps(  # the code only in the text, not in a coding: the reader ignores it
            _observation("in-note", _coding(LOINC, "8867-4"), note=[{"text": '"72514-3"'}])
        ),
    ]
    assert _handed_over(_export(tmp_path, lines)) == ["c1", "in-component", "nrs", "p1"]


def test_a_code_written_with_json_escapes_is_read_as_assess_reads_it(tmp_path: Path) -> None:
    escaped = json.dumps(_observation("nrs", _coding(LOINC, "72514-3"), valueInteger=7))
    escaped = escaped.replace("72514-3", "\\u0037\\u0032514-3").replace("/", "\\/")
    folder = _export(tmp_path, [escaped])
    assert _handed_over(folder) == ["c1", "nrs", "p1"]
    ((pid, doc, error),) = list(screen_documents(folder, Screening(AS_OF, knowledge=KB)))
    lines = [p.read_text().strip() for p in sorted(folder.glob("*.ndjson"))]
    assert (pid, error) == ("p1", None)
    assert doc == assess(bundle_of(lines), as_of=AS_OF, knowledge=KB)
    assert doc is not None and doc["pain"]["latest_nrs"] == 7


@pytest.mark.parametrize("instrument", KB.instruments.instruments, ids=lambda i: i.id)
def test_the_pattern_finds_every_instrument_coding(instrument: Any) -> None:
    text = json.dumps([{"system": instrument.system, "code": instrument.code}])
    assert duckdb.execute("SELECT regexp_matches(?, ?)", [text, observation_pattern(KB)]).fetchone()


@pytest.mark.parametrize(
    "text",
    [
        '[{"system":"http://loinc.org","code":"72514-30"}]',
        '[{"system":"http://loinc.org","code":"72514.3"}]',
        '[{"system":"https://painpathxdev/fhir/CodeSystem/painpath","code":"x"}]',
    ],
)
def test_the_pattern_reads_its_needles_literally(text: str) -> None:
    found = duckdb.execute("SELECT regexp_matches(?, ?)", [text, observation_pattern(KB)])
    assert found.fetchone() == (False,)


def test_blank_lines_are_skipped_and_an_indented_line_is_read(tmp_path: Path) -> None:
    nrs = json.dumps(_observation("nrs", _coding(LOINC, "72514-3"), valueInteger=7))
    pulse = json.dumps(_observation("pulse", _coding(LOINC, "8867-4"), valueInteger=70))
    folder = _export(tmp_path, ["", "   \t", "  " + nrs, pulse, ""])
    assert _handed_over(folder) == ["c1", "nrs", "p1"]
