"""Benchmark: knowledge-base load time (cold, in a fresh process) and `assess` time per record.

Run with `make bench`. Prints one line per measurement; numbers go to docs/benchmarks.md.
Per-record times are process CPU time (this shared VM's wall clock is noisy): for each
record, five batches of repeated calls after warm-up, the best batch's mean per call. The
small synthetic patients (`painpath synth`, about 15 resources each, assembled as `screen`
assembles them) are timed as whole passes over all of them: the best of five passes' mean
per patient, split into reading (`read_bundle`) and the rules (`assess_record`).
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import orjson
from _synth_patients import synth_bundles, write_synth

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
AS_OF_VIGNETTES = date(2026, 6, 1)
AS_OF_SYNTHEA = date(2021, 4, 1)  # the SMART sample's dates end in March 2021

COLD = """
import time
t0 = time.perf_counter()
from painpath.knowledge import load_knowledge
t1 = time.perf_counter()
load_knowledge()
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000)
"""


def cold_knowledge_ms(runs: int = 5) -> tuple[list[float], list[float]]:
    """(import painpath, load_knowledge() call) in ms, each in a fresh process."""
    imports, loads = [], []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True
        )
        first, second = result.stdout.split()
        imports.append(float(first))
        loads.append(float(second))
    return imports, loads


def time_assess(bundles: list[tuple[str, dict, int]], as_of: date, repeat: int) -> list[float]:
    from painpath import assess

    for _, bundle, _ in bundles:  # warm-up
        assess(bundle, as_of=as_of)
    per_record: list[float] = []
    for _, bundle, _ in bundles:
        samples = []
        for _ in range(5):  # five batches; the best batch is the least disturbed by the VM
            start = time.process_time()
            for _ in range(repeat):
                assess(bundle, as_of=as_of)
            samples.append((time.process_time() - start) * 1000 / repeat)
        per_record.append(min(samples))
    return per_record


def time_synth(patients: int = 2000) -> tuple[float, float, float]:
    """(assess, read_bundle, assess_record) mean ms per small synthetic patient, best of 5."""
    from painpath import assess
    from painpath.engine import assess_record
    from painpath.fhir import read_bundle
    from painpath.knowledge import load_knowledge

    kb = load_knowledge()
    with tempfile.TemporaryDirectory() as tmp:
        write_synth(Path(tmp), patients)
        bundles = [bundle for _, bundle in synth_bundles(Path(tmp))]
    records = [read_bundle(b) for b in bundles]

    def best(run: Callable[[], object]) -> float:
        run()  # warm-up
        samples = []
        for _ in range(5):
            start = time.process_time()
            run()
            samples.append((time.process_time() - start) * 1000 / len(bundles))
        return min(samples)

    # each result is dropped at once, as screening keeps a row and not the document (keeping
    # 2,000 documents alive makes the cyclic GC's passes, not assess, the larger part)
    def whole_pass() -> None:
        for b in bundles:
            assess(b, as_of=AS_OF_VIGNETTES, knowledge=kb)

    def reading_pass() -> None:
        for b in bundles:
            read_bundle(b)

    def rules_pass() -> None:
        for r in records:
            assess_record(r, kb, AS_OF_VIGNETTES)

    whole, reading, rules = best(whole_pass), best(reading_pass), best(rules_pass)
    return whole, reading, rules


def load(paths: list[Path]) -> list[tuple[str, dict, int]]:
    out = []
    for path in paths:
        bundle = orjson.loads(path.read_bytes())
        if not any(
            e.get("resource", {}).get("resourceType") == "Patient" for e in bundle.get("entry", [])
        ):
            continue
        out.append((path.name, bundle, len(bundle.get("entry", []))))
    return out


def main() -> None:
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()}"
    )
    imports, loads = cold_knowledge_ms()
    print(
        f"knowledge load (load_knowledge() in a fresh process): median "
        f"{statistics.median(loads):.1f} ms; importing painpath first: median "
        f"{statistics.median(imports):.1f} ms (runs {len(loads)})"
    )

    whole, reading, rules = time_synth()
    print(
        f"assess small synthetic patients: 2000 records, {whole:.3f} ms per record "
        f"(read_bundle {reading:.3f} ms, assess_record {rules:.3f} ms)"
    )
    vignettes = load(sorted((SHARED / "vignettes").glob("*.bundle.json")))
    times = time_assess(vignettes, AS_OF_VIGNETTES, 100)
    print(
        f"assess vignettes: {len(vignettes)} records, median {statistics.median(times):.3f} ms, "
        f"max {max(times):.3f} ms per record"
    )
    synthea = load(
        sorted((SHARED / "data/synthea-smart-generated-sample-data-r4/bundles").glob("*.json"))
    )
    times = time_assess(synthea, AS_OF_SYNTHEA, 10)
    sizes = [n for _, _, n in synthea]
    near_100 = [t for t, n in zip(times, sizes, strict=True) if 50 <= n <= 150]
    largest = max(range(len(synthea)), key=lambda i: sizes[i])
    print(
        f"assess synthea: {len(synthea)} records, median {statistics.median(times):.2f} ms, "
        f"p90 {statistics.quantiles(times, n=10)[-1]:.2f} ms"
    )
    if near_100:
        print(
            f"assess synthea ~100-resource records: {len(near_100)}, "
            f"median {statistics.median(near_100):.3f} ms"
        )
    print(
        f"assess synthea largest bundle: {synthea[largest][0][:40]} ({sizes[largest]} resources) "
        f"{times[largest]:.2f} ms"
    )


if __name__ == "__main__":
    main()
