"""What runs on a Spark executor: sorted (pid, line) batches in, assessed rows out.

`assess_partition` returns the function `mapInArrow` calls once per partition. Its input is
sorted by patient, so a patient's lines are consecutive (possibly across batches); each
patient is assessed with `painpath.population._assess`, the same code the DuckDB path runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pyarrow as pa

from painpath.population._assess import assess_lines, group_batches, row_of
from painpath.population._worklist import ROW_SCHEMA

__all__ = ["DOC_SCHEMA", "assess_partition"]

DOC_SCHEMA = pa.schema(
    [("patient_id", pa.string()), ("document", pa.string()), ("error", pa.string())]
)

_OUT_ROWS = 1024

Batches = Iterator[pa.RecordBatch]


def assess_partition(as_of: str, payer: str, documents: bool) -> Callable[[Batches], Batches]:
    """The per-partition function: worklist rows, or (patient, document JSON, error)."""

    def run(batches: Batches) -> Batches:
        import orjson

        from painpath.knowledge import load_knowledge

        kb = load_knowledge()
        day = date.fromisoformat(as_of)
        schema = DOC_SCHEMA if documents else ROW_SCHEMA
        out: list[dict[str, Any]] = []
        for pid, lines in group_batches(batches):
            item = assess_lines(pid, lines, kb, day, payer)
            if documents:
                doc = None if item[1] is None else orjson.dumps(item[1]).decode()
                out.append({"patient_id": pid, "document": doc, "error": item[2]})
            else:
                out.append(row_of(item))
            if len(out) >= _OUT_ROWS:
                yield pa.RecordBatch.from_pylist(out, schema=schema)
                out = []
        if out:
            yield pa.RecordBatch.from_pylist(out, schema=schema)

    return run
