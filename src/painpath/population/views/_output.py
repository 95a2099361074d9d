"""Writing a view's rows to CSV, Parquet or NDJSON, batch by batch (flat memory)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa

from painpath.errors import InputError

__all__ = ["OUTPUT_SUFFIXES", "write_table"]

OUTPUT_SUFFIXES = (".csv", ".parquet", ".ndjson")


def _csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    """CSV has no lists: a collection column is written as a JSON array."""
    columns = []
    for column in batch.columns:
        if pa.types.is_list(column.type):
            texts = [None if v is None else orjson.dumps(v).decode() for v in column.to_pylist()]
            columns.append(pa.array(texts, pa.string()))
        else:
            columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def write_table(reader: pa.RecordBatchReader, path: Path) -> int:
    """Write every batch to `path` (format by suffix); returns the number of rows."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError(f"cannot write {path.name}", "--out", "a .csv, .parquet or .ndjson file")
    rows = 0
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        with pq.ParquetWriter(path, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
    elif suffix == ".csv":
        import pyarrow.csv as pcsv

        writer_csv: pcsv.CSVWriter | None = None
        try:
            for batch in reader:
                ready = _csv_ready(batch)
                if writer_csv is None:
                    writer_csv = pcsv.CSVWriter(path, ready.schema)
                writer_csv.write_batch(ready)
                rows += batch.num_rows
            if writer_csv is None:
                path.write_text(",".join(f'"{n}"' for n in reader.schema.names) + "\n")
        finally:
            if writer_csv is not None:
                writer_csv.close()
    else:
        with path.open("wb") as out:
            for batch in reader:
                for row in batch.to_pylist():
                    out.write(orjson.dumps(row) + b"\n")
                rows += batch.num_rows
    return rows
