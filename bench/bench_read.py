"""Throughput of painpath's FHIR readers against plain orjson parsing of the same bytes.

Run: `.venv/bin/python bench/bench_read.py [--rounds N]`. Reads the Synthea Bulk NDJSON
folder and every Synthea bundle of /work/shared/data (or the folders given with
--ndjson / --bundles) three times to warm up, then N times; prints one line per
measurement with the median and best MB/s and resources/s. Single-threaded.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from painpath.errors import FhirInputError
from painpath.fhir import ndjson_files, read_bundle_bytes, read_ndjson_dir

DATA = Path("/work/shared/data")
NDJSON = DATA / "synthea-smart-bulk-10-patients" / "ndjson"
BUNDLES = DATA / "synthea-smart-generated-sample-data-r4" / "bundles"


def _measure(label: str, run: Callable[[], None], size: int, resources: int, rounds: int) -> None:
    for _ in range(3):  # warm-up: imports, knowledge load, page cache, the heap's first growth
        run()
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    median, best = statistics.median(times), min(times)
    print(
        f"{label:<26} {size / median / 1e6:7.1f} MB/s (best {size / best / 1e6:6.1f})"
        f"  {resources / median:9.0f} resources/s  [{size / 1e6:.1f} MB, {resources} resources,"
        f" median of {rounds}]"
    )


def bench_ndjson(folder: Path, rounds: int) -> None:
    files = ndjson_files(folder)
    size = sum(p.stat().st_size for p in files)
    lines = sum(1 for p in files for line in p.read_bytes().split(b"\n") if line.strip())

    def painpath() -> None:
        for _record in read_ndjson_dir(folder):
            pass

    def plain() -> None:
        for p in files:
            for line in p.read_bytes().split(b"\n"):
                if line:
                    orjson.loads(line)

    _measure("ndjson   painpath", painpath, size, lines, rounds)
    _measure("ndjson   orjson.loads", plain, size, lines, rounds)


def bench_bundles(folder: Path, rounds: int) -> None:
    paths = sorted(folder.glob("*.json"))
    size = sum(p.stat().st_size for p in paths)
    entries = sum(len(orjson.loads(p.read_bytes()).get("entry", [])) for p in paths)

    def painpath() -> None:
        for p in paths:
            # the hospital/practitioner bundles hold no Patient
            with contextlib.suppress(FhirInputError):
                read_bundle_bytes(p.read_bytes())

    def plain() -> None:
        for p in paths:
            orjson.loads(p.read_bytes())

    _measure("bundles  painpath", painpath, size, entries, rounds)
    _measure("bundles  orjson.loads", plain, size, entries, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ndjson", type=Path, default=NDJSON)
    parser.add_argument("--bundles", type=Path, default=BUNDLES)
    args = parser.parse_args()
    bench_ndjson(args.ndjson, args.rounds)
    bench_bundles(args.bundles, args.rounds)


if __name__ == "__main__":
    main()
