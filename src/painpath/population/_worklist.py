"""The worklist: screened rows collected in a DuckDB table, ranked, summarised and written out.

Rows arrive in Arrow batches (from the in-process engine or from Spark executors) and go,
16,384 at a time, into a table in a temporary DuckDB file, so a worklist of millions of
patients never sits in Python memory. `write()` copies it out ranked (`.parquet`, `.csv` or
`.ndjson`), and `summary()` counts by status and top option and describes the MME
distribution, with the MME bands drawn at the knowledge base's thresholds (`mme-reassess`,
`mme-high`).

Rank: urgent evaluation first (a red flag needs a clinician now), then referral with an
indicated top option, other referrals, conservative care first, not indicated, and unreadable
records last; within a status the higher MME first, then the longer conservative care, then
the patient id.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from painpath.errors import InputError
from painpath.knowledge import Knowledge
from painpath.population._assess import UNREADABLE

__all__ = ["FORMATS", "ROW_SCHEMA", "STATUS_ORDER", "Worklist"]

ROW_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("status", pa.string()),
        ("top_option", pa.string()),
        ("top_option_indicated", pa.bool_()),
        ("options", pa.string()),
        ("mme_per_day", pa.float64()),
        ("conservative_care_weeks", pa.float64()),
        ("duration_months", pa.float64()),
        ("latest_nrs", pa.float64()),
        ("why", pa.string()),
    ]
)

STATUS_ORDER = (
    "urgent-evaluation",
    "refer-interventional",
    "conservative-care-first",
    "not-indicated",
    UNREADABLE,
)

FORMATS = {
    ".parquet": "FORMAT parquet",
    ".csv": "FORMAT csv, HEADER true",
    ".ndjson": "FORMAT json",
}

_RANKED = "SELECT row_number() OVER (ORDER BY {order}) AS rank, * FROM rows ORDER BY rank"


_INSERT_ROWS = 16_384
_SQL_TYPES = {pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN", pa.float64(): "DOUBLE"}


def _columns() -> str:
    """The `rows` table's column definitions, from ROW_SCHEMA."""
    return ", ".join(f'"{field.name}" {_SQL_TYPES[field.type]}' for field in ROW_SCHEMA)


def _order() -> str:
    cases = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUS_ORDER))
    return (
        f"CASE status {cases} ELSE {len(STATUS_ORDER)} END, "
        "coalesce(top_option_indicated, false) DESC, mme_per_day DESC NULLS LAST, "
        "conservative_care_weeks DESC NULLS LAST, patient_id"
    )


class Worklist:
    """A growing table of screened rows; use as a context manager."""

    def __init__(self, memory_limit: str = "256MB") -> None:
        import duckdb

        self._tmp = tempfile.TemporaryDirectory(prefix="painpath-worklist-")
        self._con = duckdb.connect(str(Path(self._tmp.name) / "worklist.duckdb"))
        self._con.execute(f"SET memory_limit = '{memory_limit}'").fetchall()
        self._con.execute("SET enable_progress_bar = false").fetchall()  # stdout is ours
        self._con.execute(f"SET temp_directory = '{self._tmp.name}'").fetchall()
        self._con.execute(f"CREATE TABLE rows ({_columns()})").fetchall()
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.count = 0

    def __enter__(self) -> Worklist:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._con.close()
        self._tmp.cleanup()

    def add(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Append rows (ROW_SCHEMA). They are inserted `_INSERT_ROWS` at a time (one insert
        per screened batch of a few hundred rows cost more than the rows themselves)."""
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self.count += table.num_rows
        if self._pending_rows >= _INSERT_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        incoming = pa.concat_tables(self._pending)
        self._pending, self._pending_rows = [], 0
        self._con.register("incoming", incoming)
        self._con.execute("INSERT INTO rows SELECT * FROM incoming").fetchall()
        self._con.unregister("incoming")

    def write(self, path: Path) -> None:
        """Write the ranked worklist; the format follows the suffix."""
        self._flush()
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(
                f"unknown output format {path.suffix or '(none)'!r}", "--out", ", ".join(FORMATS)
            )
        target = str(path).replace("'", "''")
        self._con.execute(
            f"COPY ({_RANKED.format(order=_order())}) TO '{target}' ({fmt})"
        ).fetchall()

    def top(self, limit: int) -> list[dict[str, Any]]:
        """The first `limit` rows of the ranked worklist."""
        self._flush()
        sql = f"{_RANKED.format(order=_order())} LIMIT {int(limit)}"
        table = self._con.sql(sql).to_arrow_table()
        rows: list[dict[str, Any]] = table.to_pylist()
        return rows

    def summary(self, kb: Knowledge) -> dict[str, Any]:
        """Counts by status and by top option, and the MME distribution."""
        self._flush()
        con = self._con
        by_status = dict(con.execute("SELECT status, count(*) FROM rows GROUP BY 1").fetchall())
        options = con.execute(
            "SELECT top_option, count(*) FROM rows WHERE top_option IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        low, high = kb.number("mme-reassess"), kb.number("mme-high")
        row = con.execute(
            "SELECT count(*) FILTER (mme_per_day > 0), "
            "quantile_cont(mme_per_day, 0.5) FILTER (mme_per_day > 0), "
            "quantile_cont(mme_per_day, 0.9) FILTER (mme_per_day > 0), "
            "max(mme_per_day), count(*) FILTER (mme_per_day > 0 AND mme_per_day < ?), "
            "count(*) FILTER (mme_per_day >= ? AND mme_per_day < ?), "
            "count(*) FILTER (mme_per_day >= ?) FROM rows",
            [low, low, high, high],
        ).fetchall()[0]
        assert row is not None
        bands = {
            f"0 < MME < {low:g}": row[4],
            f"{low:g} <= MME < {high:g}": row[5],
            f"MME >= {high:g}": row[6],
        }
        return {
            "screened": self.count,
            "by_status": {s: int(by_status.get(s, 0)) for s in STATUS_ORDER},
            "by_top_option": {str(k): int(v) for k, v in options},
            "mme": {
                "patients_on_opioids": int(row[0]),
                "median": row[1],
                "p90": row[2],
                "max": row[3],
                "bands": {k: int(v) for k, v in bands.items()},
            },
        }
