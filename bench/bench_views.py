"""SQL on FHIR ViewDefinitions on DuckDB and on Spark local[*], over Synthea Bulk NDJSON.

Run: `.venv/bin/python bench/bench_views.py [--copies N] [--rounds N]`. Builds an export of
the Synthea 10-patient Bulk sample (../shared/data) repeated N times (hard links named
`Type.000.ndjson`, `Type.001.ndjson`, ...: real files, the same bytes), then runs each view
below on both engines (warm-up once, then the median of N rounds) and prints MB/s of the
view's input files, rows/s, and DuckDB's raw scan of the same files (`count(*)` over
`read_ndjson_objects`) as the reference. Spark times exclude starting the session. CPU is
this process's (DuckDB runs in it; Spark's work runs in its JVM, so wall time is reported).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BULK = DATA / "synthea-smart-bulk-10-patients" / "ndjson"

VIEWS: dict[str, dict[str, Any]] = {
    "patient (flat)": {
        "resource": "Patient",
        "select": [
            {
                "column": [
                    {"name": "id", "path": "getResourceKey()"},
                    {"name": "gender", "path": "gender"},
                    {"name": "birth_date", "path": "birthDate"},
                    {"name": "deceased", "path": "deceased.ofType(dateTime).exists()"},
                ]
            }
        ],
    },
    "condition codes (forEach)": {
        "resource": "Condition",
        "select": [
            {
                "column": [
                    {"name": "id", "path": "id"},
                    {"name": "patient", "path": "subject.getReferenceKey(Patient)"},
                    {"name": "onset", "path": "onset.ofType(dateTime)"},
                ]
            },
            {"forEach": "code.coding", "column": [{"name": "code", "path": "code"}]},
        ],
    },
    "medication requests (where)": {
        "resource": "MedicationRequest",
        "where": [{"path": "status = 'active' or status = 'completed'"}],
        "select": [
            {
                "column": [
                    {"name": "patient", "path": "subject.getReferenceKey(Patient)"},
                    {"name": "authored", "path": "authoredOn"},
                    {
                        "name": "rxnorm",
                        "path": "medication.ofType(CodeableConcept).coding.code.first()",
                    },
                ]
            }
        ],
    },
    "procedures (forEach)": {
        "resource": "Procedure",
        "select": [
            {"column": [{"name": "patient", "path": "subject.getReferenceKey(Patient)"}]},
            {"forEach": "code.coding", "column": [{"name": "code", "path": "code"}]},
        ],
    },
}


def build_export(folder: Path, copies: int) -> None:
    for source in sorted(BULK.glob("*.ndjson")):
        rtype = source.name.split(".")[0]
        for i in range(copies):
            target = folder / f"{rtype}.{i:03d}.ndjson"
            try:
                os.link(source, target)
            except OSError:
                shutil.copy(source, target)


def _median(run: Callable[[], int], rounds: int) -> tuple[float, float, int]:
    rows = run()  # warm-up
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        rows = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()

    import duckdb

    from painpath.population.views import compile_view, run_view, spark_session

    with tempfile.TemporaryDirectory(prefix="painpath-bench-views-") as tmp:
        folder = Path(tmp)
        build_export(folder, args.copies)
        print(f"export: Synthea 10-patient Bulk sample x{args.copies} in {folder}")
        spark = None
        if not args.no_spark:
            started = time.perf_counter()
            spark = spark_session("local[*]")
            print(f"spark local[*] session started in {time.perf_counter() - started:.1f} s")
        for label, view in VIEWS.items():
            compiled = compile_view(view)
            files = sorted(str(p) for p in folder.glob(f"{compiled.resource}.*.ndjson"))
            size = sum(os.path.getsize(p) for p in files)
            con = duckdb.connect()

            def raw(con: Any = con, files: list[str] = files) -> int:
                sql = f"SELECT count(*) FROM read_ndjson_objects({files})"
                return int(con.sql(sql).fetchall()[0][0])

            def on_duckdb(compiled: Any = compiled) -> int:
                return sum(b.num_rows for b in run_view(compiled, folder, "duckdb"))

            measures = [("duckdb raw count(*)", raw), ("duckdb view", on_duckdb)]
            if spark is not None:

                def on_spark(compiled: Any = compiled) -> int:
                    return run_view(compiled, folder, "spark", spark=spark).read_all().num_rows

                measures.append(("spark local[*] view", on_spark))
            print(f"{label}: {size / 1e6:.1f} MB of {compiled.resource}")
            for name, run in measures:
                wall, cpu, rows = _median(run, args.rounds)
                print(
                    f"  {name:<22} {size / wall / 1e6:7.1f} MB/s  {rows / wall:10.0f} rows/s"
                    f"  (wall {wall:.2f} s, process CPU {cpu:.2f} s, {rows} rows)"
                )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process (DuckDB and the Spark driver): {peak:.0f} MB")


if __name__ == "__main__":
    main()
