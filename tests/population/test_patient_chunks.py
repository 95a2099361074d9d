"""`patient_chunks` cuts sorted (pid, line) batches into tables of whole patients."""

from __future__ import annotations

import pyarrow as pa

from painpath.population._screen import patient_chunks


def _batches(pids: list[str], size: int) -> list[pa.RecordBatch]:
    lines = [f"{pid}-{i}" for i, pid in enumerate(pids)]
    table = pa.table({"pid": pids, "line": lines})
    return table.to_batches(max_chunksize=size)


def test_chunks_hold_whole_patients_and_every_row_once() -> None:
    pids = [p for p, n in (("a", 3), ("b", 1), ("c", 4), ("d", 2), ("e", 5)) for _ in range(n)]
    batches = _batches(pids, 2)
    chunks = list(patient_chunks(batches, 4))
    assert pa.concat_tables(chunks).equals(pa.Table.from_batches(batches))
    owners = [set(chunk.column(0).to_pylist()) for chunk in chunks]
    for i, first in enumerate(owners):  # no patient in two chunks
        assert all(not first & later for later in owners[i + 1 :])
    assert len(chunks) > 1


def test_a_patient_longer_than_a_chunk_stays_in_one_table() -> None:
    chunks = list(patient_chunks(_batches(["a"] * 9 + ["b"], 2), 3))
    assert [chunk.column(0).to_pylist() for chunk in chunks] == [["a"] * 9, ["b"]]


def test_no_batches_give_no_chunks() -> None:
    assert list(patient_chunks([], 4)) == []
