"""Benchmark: server render time of the web pages with 1,000 patients in the database.

Run with `make bench` (or `.venv/bin/python bench/bench_web.py --help`).

1. A fresh database (a SQLite file in a temporary folder; `--pg` adds PostgreSQL on
   PAINPATH_BENCH_PG_URL, else PAINPATH_TEST_DATABASE_URL, else
   postgresql://postgres@127.0.0.1:5432/test), migrated.
2. One clinic, 1,000 patients imported through the clinic service (the public vignettes,
   renamed; 8 to 20 resources each), each with an episode moved along the pathway to a
   stage that depends on its number (so the worklist's stage filters have hundreds of rows),
   an assessment stored for the assessed ones, and a few pain scores.
3. Each page is requested `--n` times (after `--warmup` requests) through the real ASGI app
   (`painpath.web.create_app`: the API's middleware, the session cookie, the clinic services,
   the templates) in this process, one request at a time, rotating over the patients. The
   time measured is the server's: from the ASGI call to the last byte of the response body,
   with no network and no HTTP client in it. This process's CPU time per request (mean and
   p99) is printed beside it: on a shared machine the wall clock includes waiting for a core.

Results go to docs/benchmarks.md (section "Web pages").
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VIGNETTES = (
    "radicular-ready",
    "warfarin-esi",
    "axial-low-back-pain",
    "knee-oa",
    "facet-two-positive-blocks",
    "oxycodone-60",
)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "bench-password-1"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def populate(engine: Any, patients: int) -> dict[str, Any]:
    """The clinic, its staff and one patient user, and `patients` imported patients."""
    from painpath.clinic import (
        Principal,
        add_observation,
        clinic_named,
        import_bundle,
        new_user,
        open_episode,
        transition_episode,
    )
    from painpath.demo._bundles import rename_patient
    from painpath.store import session_factory

    sources = [
        json.loads((SHARED / "vignettes" / f"{v}.bundle.json").read_text()) for v in VIGNETTES
    ]
    factory = session_factory(engine)
    with factory() as session:
        clinic = clinic_named(session, "Bench clinic", create=True)
        clinician = new_user(
            session,
            email="clinician@bench.example",
            password=PASSWORD,
            role="clinician",
            clinic_id=clinic.id,
            hasher=CHEAP,
            now=NOW,
        )
        session.commit()
        who = Principal.of(clinician)
    consult = {"history": "h", "previous_treatments": "p", "symptoms": "s", "exam": "e"}
    ids, episodes = [], []
    started = time.perf_counter()
    for i in range(patients):
        source = sources[i % len(sources)]
        pid = f"bench-{i:04d}"
        bundle = rename_patient(copy.deepcopy(source), pid, f"Given{i}", f"Family{i:04d}")
        with factory() as session:
            import_bundle(session, who, bundle, now=NOW)
            opened = open_episode(
                session, who, pid, {"source": "referral", "reason": "pain"}, now=NOW
            )
            episode, version = int(opened["id"]), int(opened["version"])
            if i % 3 != 0:
                version = int(
                    transition_episode(session, who, episode, "consult", consult, version, now=NOW)[
                        "version"
                    ]
                )
            if i % 3 == 2:
                transition_episode(
                    session, who, episode, "assess", {"as_of": "2026-06-01"}, version, now=NOW
                )
            if i % 10 == 0:
                for day in range(5):
                    add_observation(
                        session,
                        who,
                        pid,
                        kind="nrs",
                        value=7 - day,
                        effective=NOW - timedelta(days=10 - day),
                        now=NOW,
                    )
        ids.append(pid)
        episodes.append(episode)
        if (i + 1) % 250 == 0:
            print(f"  {i + 1} patients ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    with factory() as session:
        new_user(
            session,
            email="patient@bench.example",
            password=PASSWORD,
            role="patient",
            clinic_id=clinic.id,
            patient_id=ids[0],
            hasher=CHEAP,
            now=NOW,
        )
        session.commit()
    return {"patients": ids, "episodes": episodes}


class Timed:
    """An ASGI client that times the app from the call to the end of the response body."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookie = ""

    async def request(
        self, method: str, path: str, body: bytes = b""
    ) -> tuple[int, float, dict[str, str]]:
        path, _, query = path.partition("?")
        headers = [(b"host", b"bench"), (b"content-length", str(len(body)).encode())]
        if body:
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "https",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("bench", 443),
        }
        sent = False
        status = 0
        out: dict[str, str] = {}
        done = anyio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", []):
                    out[k.decode().lower()] = v.decode()
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        start = time.perf_counter()
        await self.app(scope, receive, send)
        return status, (time.perf_counter() - start) * 1000, out

    async def sign_in(self, email: str) -> None:
        body = urlencode({"email": email, "password": PASSWORD}).encode()
        status, _, headers = await self.request("POST", "/signin", body)
        assert status == 303, status
        self.cookie = headers["set-cookie"].split(";", 1)[0]


def run_backend(url: str, label: str, patients: int, n: int, warmup: int) -> list[dict[str, Any]]:
    from painpath.knowledge import load_knowledge
    from painpath.store import make_engine, upgrade
    from painpath.web import create_app

    engine = make_engine(url)
    upgrade(engine)
    print(f"{label}: loading {patients} patients", file=sys.stderr)
    world = populate(engine, patients)
    load_knowledge()
    clock_start = time.monotonic()

    def clock() -> datetime:
        return NOW + timedelta(seconds=time.monotonic() - clock_start)

    app = create_app(engine, clock=clock, hasher=CHEAP)
    rows: list[dict[str, Any]] = []
    ids, episodes = world["patients"], world["episodes"]
    screen = sorted({item for f in load_knowledge().red_flags.values() for item in f.screen_items})
    readiness = [(f"readiness-{i}", "yes") for i in range(1, 7)]
    answers = urlencode([(item, "no") for item in screen] + readiness).encode()

    def chart(i: int) -> str:
        return f"/clinic/patients/{ids[(i * 7) % len(ids)]}"

    def workspace(i: int) -> str:
        return f"/clinic/episodes/{episodes[(i * 7) % len(episodes)]}"

    def search(i: int) -> str:
        return f"/clinic?name=family{i % len(ids):04d}"

    pages: list[tuple[str, str, Callable[[int], str], str, bytes]] = [
        ("worklist (all, page 1 of 40)", "clinician", lambda i: "/clinic", "GET", b""),
        ("worklist (stage filter)", "clinician", lambda i: "/clinic?stage=assessed", "GET", b""),
        ("worklist (name search)", "clinician", search, "GET", b""),
        ("chart", "clinician", chart, "GET", b""),
        ("episode workspace", "clinician", workspace, "GET", b""),
        ("my plan (patient)", "patient", lambda i: f"/portal/{ids[0]}", "GET", b""),
        ("pain diary (patient)", "patient", lambda i: f"/portal/{ids[0]}/diary", "GET", b""),
        ("procedures (public)", "", lambda i: "/procedures", "GET", b""),
        ("self-assessment form (public)", "", lambda i: "/self-assessment", "GET", b""),
        ("self-assessment result (public)", "", lambda i: "/self-assessment", "POST", answers),
    ]

    async def measure() -> None:
        clients = {"": Timed(app), "clinician": Timed(app), "patient": Timed(app)}
        await clients["clinician"].sign_in("clinician@bench.example")
        await clients["patient"].sign_in("patient@bench.example")
        for name, who, path_of, method, body in pages:
            client = clients[who]
            times: list[float] = []
            cpus: list[float] = []
            for i in range(warmup + n):
                cpu_before = time.process_time()
                status, ms, _ = await client.request(method, path_of(i), body)
                cpu_ms = (time.process_time() - cpu_before) * 1000
                if status != 200:
                    raise SystemExit(f"{name}: HTTP {status} for {path_of(i)}")
                if i >= warmup:
                    times.append(ms)
                    cpus.append(cpu_ms)
            cpu = statistics.fmean(cpus)
            row = {
                "backend": label,
                "page": name,
                "n": n,
                "p50": statistics.median(times),
                "p99": _percentile(times, 99),
                "max": max(times),
                "cpu": cpu,
                "cpu_p99": _percentile(cpus, 99),
            }
            rows.append(row)
            print(
                f"{label:10} {name:34} p50 {row['p50']:6.1f} ms  p99 {row['p99']:6.1f} ms"
                f"  CPU mean {cpu:5.1f} p99 {row['cpu_p99']:5.1f} ms/request",
                flush=True,
            )

    anyio.run(measure)
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--n", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pg", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        run_backend(
            f"sqlite:///{Path(folder) / 'bench.db'}", "SQLite", args.patients, args.n, args.warmup
        )
    if args.pg:
        sys.path.insert(0, str(ROOT / "tests"))
        from db import create_pg_database, drop_pg_database

        base = os.environ.get("PAINPATH_BENCH_PG_URL") or os.environ.get(
            "PAINPATH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
        os.environ.setdefault("PAINPATH_TEST_DATABASE_URL", base)
        url = create_pg_database("_bench")
        try:
            run_backend(url, "PostgreSQL", args.patients, args.n, args.warmup)
        finally:
            drop_pg_database(url)


if __name__ == "__main__":
    main()
