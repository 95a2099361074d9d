"""Population screening throughput: `painpath screen` on DuckDB and on Spark local[*], against
DuckDB's own raw scan of the same files.

Run: `.venv/bin/python bench/bench_screen.py [--patients 200000] [--engines duckdb,spark]`.
The export is written once with `painpath synth` (seed 1, as of 2026-06-01) into
`--dir` (default: the system temp folder, `painpath-bench-<N>`) and reused while it is there.

Measured, each in its own process so that memory is its own:
- raw scan: `SELECT count(*) FROM read_ndjson('<file>')` for each file, one after another;
- DuckDB screen: `painpath screen DIR --engine duckdb --out worklist.parquet`;
- Spark screen: the same through `painpath.population.screen` on a `local[*]` session,
  timed from the moment the session is up (session start-up is reported separately); with
  `--spark-runs 2` (the default) the screen runs again in the same session, and the second
  (warm: the JVM has compiled its code) time is reported too.

Throughput is the export's bytes (and its patients) over wall time. Peak memory is the
largest proportional set size (PSS) of the whole process tree (DuckDB screen: the command and
its engine workers; Spark: the driver, its JVM and the Python workers), sampled every 50 ms
from /proc. CPU is user+system seconds of
the tree. `--json FILE` also writes the numbers as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

AS_OF = "2026-06-01"
ROOT = Path(__file__).resolve().parents[1]
PAINPATH = [sys.executable, "-m", "painpath"]
_TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return found


def _stat(pid: int) -> tuple[int, float]:
    """(proportional set size in bytes, user+system CPU seconds) of one process. PSS splits
    pages shared between processes (forked workers) among them, so the sum over a process
    tree is the memory the tree really holds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        rss = next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
    except (OSError, IndexError, StopIteration, ValueError):
        return 0, 0.0
    cpu = (int(fields[11]) + int(fields[12])) / _TICK  # its own; children count as themselves
    return rss, cpu


class _Sampler(threading.Thread):
    """Peak RSS and CPU of a process tree, sampled until the root exits."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.cpu = pid, 0, 0.0
        self._cpu_by_pid: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            for pid in _tree(self.pid):
                rss, cpu = _stat(pid)
                total += rss
                if cpu:
                    self._cpu_by_pid[pid] = cpu
            self.peak = max(self.peak, total)
            self.cpu = sum(self._cpu_by_pid.values())
            time.sleep(0.05)


def _run(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    sampler = _Sampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {err.strip()[-500:]}")
    return {"wall_s": wall, "peak_mb": sampler.peak / 1e6, "cpu_s": sampler.cpu, "out": out}


def _export(folder: Path, patients: int) -> None:
    marker = folder / ".complete"
    if marker.exists():
        return
    if folder.exists():
        for path in folder.glob("*.ndjson"):
            path.unlink()
    start = time.perf_counter()
    cmd = [*PAINPATH, "synth", "--patients", str(patients), "--seed", "1", "--as-of", AS_OF]
    subprocess.run([*cmd, str(folder)], check=True, stdout=subprocess.DEVNULL)
    print(f"synth     {patients} patients written in {time.perf_counter() - start:.1f} s")
    marker.write_text("ok")


_RAW = """
import sys, time, duckdb
files = sys.argv[1:]
con = duckdb.connect()
start = time.perf_counter()
rows = sum(con.execute("SELECT count(*) FROM read_ndjson(?)", [f]).fetchall()[0][0] for f in files)
print(rows, time.perf_counter() - start)
"""

_SPARK = """
import sys, time, json
from datetime import date
from pathlib import Path
start = time.perf_counter()
from painpath.population import Screening, Worklist, screen
from painpath.population._spark import spark_session
session = spark_session("local[*]")
session.sparkContext.setLogLevel("ERROR")
up = time.perf_counter() - start
times = []
for _ in range(int(sys.argv[4])):
    t = time.perf_counter()
    with Worklist() as work:
        settings = Screening(date.fromisoformat(sys.argv[2]), "spark", spark=session)
        screen(Path(sys.argv[1]), work, settings)
        work.write(Path(sys.argv[3]))
        n = work.count
    times.append(time.perf_counter() - t)
print(json.dumps({"session_s": up, "screen_s": times[0], "runs_s": times, "screened": n}))
session.stop()
"""


_PROFILE = """
import sys, time, json
from datetime import date
from pathlib import Path
from painpath.knowledge import load_knowledge
from painpath.population._assess import assess_lines
from painpath.population._duckdb import duckdb_groups
from painpath.population._export import open_export
kb = load_knowledge()
export = open_export(Path(sys.argv[1]))
marks = {"start": time.perf_counter()}
def stage(name, count):
    marks[name] = time.perf_counter()
assess_s, patients = 0.0, 0
for pid, lines in duckdb_groups(kb, export, on_stage=stage):
    t = time.perf_counter()
    assess_lines(pid, lines, kb, date.fromisoformat(sys.argv[2]), "cms")
    assess_s += time.perf_counter() - t
    patients += 1
end = time.perf_counter()
print(json.dumps({
    "prefilter_s": marks["kept"] - marks["start"],
    "scan_keep_sort_s": marks["lines"] - marks["kept"],
    "stream_and_group_s": end - marks["lines"] - assess_s,
    "engine_s": assess_s,
    "patients": patients,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--spark-runs", type=int, default=2, help="screens in one Spark session")
    parser.add_argument(
        "--profile", action="store_true", help="also time the DuckDB stages in one process"
    )
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.gettempdir()) / f"painpath-bench-{args.patients}"
    folder.mkdir(parents=True, exist_ok=True)
    _export(folder, args.patients)
    files = sorted(str(p) for p in folder.glob("*.ndjson"))
    size = sum(Path(f).stat().st_size for f in files)
    mb = size / 1e6
    results: dict[str, Any] = {"patients": args.patients, "mb": mb, "cores": os.cpu_count()}
    print(f"export    {args.patients} patients, {mb:.0f} MB in {len(files)} files ({folder})")

    raw = _run([sys.executable, "-c", _RAW, *files])
    rows, scan_s = raw["out"].split()
    raw.update(scan_s=float(scan_s), rows=int(rows), mb_s=mb / float(scan_s))
    results["raw_scan"] = {k: v for k, v in raw.items() if k != "out"}
    print(
        f"raw scan  {raw['mb_s']:7.1f} MB/s  {int(rows)} lines in {float(scan_s):.2f} s  "
        f"peak {raw['peak_mb']:.0f} MB  cpu {raw['cpu_s']:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            out = Path(tmp) / f"{engine}.parquet"
            if engine == "duckdb":
                cmd = [*PAINPATH, "screen", str(folder), "--as-of", AS_OF, "--out", str(out)]
                run = _run([*cmd, "--json"])
                timed = run["wall_s"]
                screened = json.loads(run["out"])["screened"]
                extra = ""
            else:
                runs = str(args.spark_runs)
                run = _run([sys.executable, "-c", _SPARK, str(folder), AS_OF, str(out), runs])
                info = json.loads(run["out"].strip().splitlines()[-1])
                timed, screened = info["screen_s"], info["screened"]
                run.update(session_s=info["session_s"], runs_s=info["runs_s"])
                warm = "".join(f", then {t:.1f} s ({mb / t:.1f} MB/s)" for t in info["runs_s"][1:])
                extra = f"  (session start {info['session_s']:.1f} s not included{warm})"
            run.update(screen_s=timed, screened=screened, mb_s=mb / timed)
            run["patients_s"] = args.patients / timed
            run["vs_raw_scan"] = run["mb_s"] / raw["mb_s"]
            results[engine] = {k: v for k, v in run.items() if k != "out"}
            print(
                f"{engine:<9} {run['mb_s']:7.1f} MB/s  {run['patients_s']:8.0f} patients/s  "
                f"{timed:.1f} s  {screened} screened  {run['vs_raw_scan']:.0%} of raw scan  "
                f"peak {run['peak_mb']:.0f} MB  cpu {run['cpu_s']:.1f} s{extra}"
            )
    if args.profile:
        info = json.loads(_run([sys.executable, "-c", _PROFILE, str(folder), AS_OF])["out"])
        results["duckdb_profile"] = info
        print(
            "profile   DuckDB screen in one process: "
            + ", ".join(
                f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in info.items()
            )
        )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
