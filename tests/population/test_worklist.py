"""The worklist: ranked output in three formats and a summary by status, option and MME."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from painpath.errors import InputError
from painpath.knowledge import load_knowledge
from painpath.population import ROW_SCHEMA, Worklist


def _row(
    pid: str, status: str, mme: float | None, top: str | None = None, **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {name: None for name in ROW_SCHEMA.names}
    row.update(patient_id=pid, status=status, mme_per_day=mme, top_option=top, **extra)
    return row


ROWS = [
    _row("a", "not-indicated", 0.0),
    _row("b", "refer-interventional", 30.0, "facet-mbb-lumbar", top_option_indicated=False),
    _row("c", "urgent-evaluation", 0.0, "esi-caudal"),
    _row("d", "refer-interventional", 10.0, "esi-caudal", top_option_indicated=True),
    _row("e", "conservative-care-first", 95.0, "esi-caudal"),
    _row("f", "unreadable", None, why="Condition/x onsetDateTime: not a date"),
    _row("g", "refer-interventional", 60.0, "facet-mbb-lumbar", top_option_indicated=True),
]
RANKED = ["c", "g", "d", "b", "e", "a", "f"]


@pytest.fixture
def worklist() -> Any:
    with Worklist() as work:
        work.add(pa.Table.from_pylist(ROWS[:3], schema=ROW_SCHEMA))
        work.add(pa.Table.from_pylist(ROWS[3:], schema=ROW_SCHEMA))
        yield work


def test_rank_puts_red_flags_then_indicated_referrals_then_higher_mme_first(worklist: Any) -> None:
    top = worklist.top(10)
    assert [r["patient_id"] for r in top] == RANKED
    assert [r["rank"] for r in top] == list(range(1, 8))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".ndjson"])
def test_writes_the_ranked_worklist_in_each_format(
    worklist: Any, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"worklist{suffix}"
    worklist.write(path)
    if suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    elif suffix == ".csv":
        rows = list(csv.DictReader(path.read_text().splitlines()))
    else:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["patient_id"] for r in rows] == RANKED
    assert {"rank", "patient_id", "status", "top_option", "mme_per_day", "why"} <= set(rows[0])


def test_unknown_format_is_refused(worklist: Any, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        worklist.write(tmp_path / "worklist.xlsx")
    assert caught.value.where == "--out"
    assert not (tmp_path / "worklist.xlsx").exists()


def test_summary_counts_statuses_options_and_mme_bands(worklist: Any) -> None:
    kb = load_knowledge()
    summary = worklist.summary(kb)
    assert summary["screened"] == 7
    assert summary["by_status"] == {
        "urgent-evaluation": 1,
        "refer-interventional": 3,
        "conservative-care-first": 1,
        "not-indicated": 1,
        "unreadable": 1,
    }
    assert summary["by_top_option"] == {"esi-caudal": 3, "facet-mbb-lumbar": 2}
    low, high = kb.number("mme-reassess"), kb.number("mme-high")
    mme = summary["mme"]
    assert mme["patients_on_opioids"] == 4
    assert mme["max"] == 95.0
    assert list(mme["bands"].values()) == [
        sum(1 for r in ROWS if r["mme_per_day"] and 0 < r["mme_per_day"] < low),
        sum(1 for r in ROWS if r["mme_per_day"] and low <= r["mme_per_day"] < high),
        sum(1 for r in ROWS if r["mme_per_day"] and r["mme_per_day"] >= high),
    ]


def test_many_small_batches_all_reach_the_worklist_in_rank_order(tmp_path: Path) -> None:
    rows = [_row(f"p{i:05d}", "not-indicated", float(i % 97)) for i in range(40_000)]
    with Worklist() as work:
        for start in range(0, len(rows), 300):
            work.add(pa.Table.from_pylist(rows[start : start + 300], schema=ROW_SCHEMA))
        work.write(tmp_path / "worklist.parquet")
        summary = work.summary(load_knowledge())
        first = work.top(1)[0]
    written = pq.read_table(tmp_path / "worklist.parquet").column("patient_id").to_pylist()
    assert summary["screened"] == 40_000
    assert summary["by_status"]["not-indicated"] == 40_000
    assert sorted(written) == [r["patient_id"] for r in rows]
    assert first["patient_id"] == "p00096" and first["mme_per_day"] == 96.0
