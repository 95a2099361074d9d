"""`painpath synth`: a deterministic synthetic Bulk export that the reader reads and that
meets every status."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import orjson
import pytest

from painpath.engine import assess_record
from painpath.errors import InputError
from painpath.fhir import read_ndjson_dir
from painpath.knowledge import load_knowledge
from painpath.population import synthesize
from painpath.population._synth_codes import synth_codes

AS_OF = date(2026, 6, 1)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ndjson"))}


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    synthesize(tmp_path / "a", 200, seed=7, as_of=AS_OF)
    synthesize(tmp_path / "b", 200, seed=7, as_of=AS_OF)
    synthesize(tmp_path / "c", 200, seed=8, as_of=AS_OF)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")


def test_export_reads_back_and_meets_every_status(tmp_path: Path) -> None:
    stats = synthesize(tmp_path, 1500, seed=3, as_of=AS_OF)
    records = list(read_ndjson_dir(tmp_path))  # vital-sign Observations included
    assert len(records) == stats.patients == 1500
    assert stats.bytes == sum(p.stat().st_size for p in tmp_path.glob("*.ndjson"))
    kb = load_knowledge()
    statuses = Counter(assess_record(r, kb, AS_OF)["status"] for r in records)
    assert set(statuses) == {
        "urgent-evaluation",
        "refer-interventional",
        "conservative-care-first",
        "not-indicated",
    }
    assert (
        statuses["not-indicated"] > statuses["refer-interventional"] > statuses["urgent-evaluation"]
    )


def test_parts_split_the_export_every_part_patients(tmp_path: Path) -> None:
    stats = synthesize(tmp_path, 250, seed=1, as_of=AS_OF, part_patients=100)
    patients = sorted(p.name for p in tmp_path.glob("Patient.*.ndjson"))
    assert patients == ["Patient.000.ndjson", "Patient.001.ndjson", "Patient.002.ndjson"]
    lines = [len(p.read_bytes().splitlines()) for p in sorted(tmp_path.glob("Patient.*"))]
    assert lines == [100, 100, 50]
    assert set(stats.files) == set(tmp_path.glob("*.ndjson"))


def test_clinical_codes_come_from_the_knowledge_base(tmp_path: Path) -> None:
    synthesize(tmp_path, 400, seed=5, as_of=AS_OF)
    codes = synth_codes(load_knowledge())
    allowed = {
        *codes.pain_codes,
        *codes.pain_snomed,
        *codes.other_snomed,
        *codes.nonspecific,
        *codes.flag_codes,
    }
    rx = {c[0] for c in (*codes.opioids, *codes.conservative, *codes.anticoagulants)}
    for path in tmp_path.glob("Condition.*.ndjson"):
        for line in path.read_bytes().splitlines():
            assert orjson.loads(line)["code"]["coding"][0]["code"] in allowed
    for path in tmp_path.glob("Medication*.ndjson"):
        for line in path.read_bytes().splitlines():
            assert orjson.loads(line)["medicationCodeableConcept"]["coding"][0]["code"] in rx


def test_refuses_a_folder_that_already_holds_an_export(tmp_path: Path) -> None:
    synthesize(tmp_path, 5, seed=1, as_of=AS_OF)
    with pytest.raises(InputError) as caught:
        synthesize(tmp_path, 5, seed=1, as_of=AS_OF)
    assert caught.value.where == str(tmp_path)
    assert caught.value.expected == "an empty folder"


def test_refuses_fewer_than_one_patient(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        synthesize(tmp_path, 0, as_of=AS_OF)
    assert caught.value.where == "--patients"
    assert not list(tmp_path.glob("*.ndjson"))
