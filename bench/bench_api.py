"""Benchmark: the HTTP API's main read endpoints under constant-rate load, SQLite and PostgreSQL.

Run with `make bench` (or `.venv/bin/python bench/bench_api.py --help`). For each backend:

1. a fresh database: a SQLite file in a temporary PAINPATH_HOME, or a temporary PostgreSQL
   database created on the server of PAINPATH_BENCH_PG_URL (default
   PAINPATH_TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test) and dropped
   afterwards;
2. `painpath users add` (migrates; the password comes from PAINPATH_PASSWORD) makes a
   clinician;
3. the real server, `painpath serve --workers 2`, on a free 127.0.0.1 port (a subprocess,
   always terminated at the end);
4. through the API: a bearer token, a dozen patients imported (the public vignettes and a
   few Synthea bundles from ../shared) and one episode opened per patient;
5. an open-loop, constant-rate load (bench/_loadgen.py: requests are scheduled at fixed
   intervals; latency counts from the scheduled instant; a minimal asyncio HTTP/1.1 client
   with keep-alive, because httpx costs ~4 ms of CPU per request on these shared cores) on
   `GET /patients/{id}/assessment?as_of=2026-06-01` (200 requests/s, 20 s), then shorter
   runs on `GET /patients/{id}`, `GET /patients?limit=20`, `GET /episodes/{id}` and
   `GET /health`, rotating over the patients.

The load generator runs on the same cores as the server (and PostgreSQL): its own CPU use
(`gen`, in cores) and the whole machine's (`busy`, share of all cores) are printed with each
run. Only loopback traffic. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _loadgen import RawClient, RunResult, machine, open_loop, server_cpu_now

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VIGNETTES = SHARED / "vignettes"
SYNTHEA = SHARED / "data" / "synthea-smart-generated-sample-data-r4" / "bundles"
SYNTHEA_RECORDS = (  # 146, 292 and 192 entries: around the sample's lower-to-middle sizes
    "Abdul_Koepp_e925b0f3-8006-43f6-aa31-94bd215e55e7.json",
    "Adalberto_Hartmann_44ec4447-9e2c-4eb9-bd4f-0bdb416b806e.json",
    "Adan_Portillo_22bbe238-220e-495c-8abc-0ce3aa28a605.json",
)
AS_OF = "2026-06-01"
EMAIL = "bench.clinician@example.org"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_P99_MS = 50.0


def painpath_command() -> str:
    """The `painpath` script of this interpreter's environment (the venv), else PATH's."""
    beside = Path(sys.executable).parent / "painpath"
    if beside.exists():
        return str(beside)
    found = shutil.which("painpath")
    if found is None:
        raise SystemExit("bench_api: no `painpath` command (install the package first)")
    return found


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env() -> dict[str, str]:
    """This environment without any painpath database setting or HTTP proxy."""
    drop = {"PAINPATH_DATABASE_URL", "PAINPATH_HOME", "PAINPATH_PASSWORD"}
    return {
        k: v
        for k, v in os.environ.items()
        if k not in drop and not k.lower().endswith("_proxy")  # loopback only
    }


@contextlib.contextmanager
def sqlite_backend(home: Path) -> Iterator[dict[str, str]]:
    """The environment for a fresh SQLite file under `home`."""
    env = base_env()
    env["PAINPATH_HOME"] = str(home)
    yield env


@contextlib.contextmanager
def postgres_backend(server_url: str, home: Path) -> Iterator[dict[str, str]]:
    """A temporary database on `server_url`'s server, dropped on exit."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"painpath_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = psycopg.connect(server_url, autocommit=True, connect_timeout=5)
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env = base_env()
        env["PAINPATH_HOME"] = str(home)
        url = make_url(server_url).set(database=name)
        env["PAINPATH_DATABASE_URL"] = url.render_as_string(hide_password=False)
        yield env
    finally:
        try:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        finally:
            admin.close()


@contextlib.contextmanager
def server(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[str, int]]:
    """`painpath serve` on a free loopback port: (base URL, process group). Always stopped."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                painpath_command(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers go with it
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited ({proc.returncode}):\n{tail(log)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server not up after 60 s:\n{tail(log)}")
                try:
                    if httpx.get(f"{base}/health", timeout=1, trust_env=False).is_success:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            yield base, proc.pid
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (uvicorn stops its workers), then SIGKILL its group if need be."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # any worker left behind in our own group
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def add_clinician(env: dict[str, str], password: str) -> None:
    """`painpath users add` (migrates the database first); the password from the env."""
    subprocess.run(
        [painpath_command(), "users", "add", EMAIL, "--role", "clinician"],
        env={**env, "PAINPATH_PASSWORD": password},
        check=True,
        capture_output=True,
        timeout=120,
    )


def bundles() -> list[bytes]:
    """The records to import: every public vignette, then a few Synthea bundles."""
    found = [p.read_bytes() for p in sorted(VIGNETTES.glob("*.bundle.json"))]
    found += [(SYNTHEA / name).read_bytes() for name in SYNTHEA_RECORDS]
    if len(found) < 3:
        raise SystemExit(f"bench_api: too few bundles under {SHARED}")
    return found


async def set_up(client: httpx.AsyncClient, password: str) -> tuple[list[str], list[int], str]:
    """Sign in, import the records, open one episode each: (patients, episodes, token)."""
    signed_in = await client.post("/auth/token", data={"username": EMAIL, "password": password})
    signed_in.raise_for_status()
    token = str(signed_in.json()["access_token"])
    client.headers["Authorization"] = f"Bearer {token}"
    patients: list[str] = []
    episodes: list[int] = []
    for body in bundles():
        imported = await client.post(
            "/fhir/Bundle", content=body, headers={"Content-Type": "application/json"}
        )
        imported.raise_for_status()
        pid = imported.json()["patient_id"]
        patients.append(pid)
        opened = await client.post(
            f"/patients/{pid}/episodes",
            json={"payload": {"source": "referral", "reason": "Benchmark referral"}},
        )
        opened.raise_for_status()
        episodes.append(int(opened.json()["id"]))
    return patients, episodes, token


async def settle(client: RawClient, group: int, limit: float = 15.0) -> None:
    """Wait (at most `limit` s) until the server is idle: under 0.1 cores for 0.5 s and
    /health answered within 20 ms. Requests a run gave up on (timeouts) are still being
    served, and must not run on into the next run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        cpu = server_cpu_now(group)
        await asyncio.sleep(0.5)
        if server_cpu_now(group) - cpu > 0.05:
            continue
        started = loop.time()
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
            await asyncio.wait_for(client.get("/health"), 5)
            if loop.time() - started < 0.02:
                return
    print(f"  (server still busy after {limit:g} s: the next run starts on a backlog)")


async def keepalive_probe(host: str, port: int) -> tuple[float, float]:
    """Median ms of GET /health on a new connection and on a reused (keep-alive) one.

    About 40 ms more on the reused one is Nagle's algorithm meeting the client's delayed
    ACK: the server's connections lack TCP_NODELAY (see painpath.api.HTTP_PROTOCOL)."""
    loop = asyncio.get_running_loop()
    fresh: list[float] = []
    reused: list[float] = []
    for _ in range(5):
        client = RawClient(host, port, {}, 1)
        try:
            for times in (fresh, reused, reused):
                started = loop.time()
                await asyncio.wait_for(client.get("/health"), 5)
                times.append((loop.time() - started) * 1000)
        finally:
            client.close()
    return statistics.median(fresh), statistics.median(reused)


def raw_client(base: str, token: str, connections: int) -> RawClient:
    """The load generator's client for `base`, signed in with the bearer `token`."""
    url = httpx.URL(base)
    return RawClient(
        str(url.host),
        int(url.port or 80),
        {"Authorization": f"Bearer {token}", "Accept": "application/json"},
        max_connections=connections,
    )


async def drive(base: str, group: int, password: str, args: argparse.Namespace) -> list[RunResult]:
    """Set up the clinic over HTTP (httpx), warm up, then the measured runs (RawClient)."""
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60) as setup:
        patients, episodes, token = await set_up(setup, password)
    client = raw_client(base, token, args.connections)
    url = httpx.URL(base)
    try:
        fresh, reused = await keepalive_probe(str(url.host), int(url.port or 80))
        note = "  <- TCP_NODELAY off" if reused - fresh > 30 else ""
        print(
            f"  keep-alive probe: GET /health {fresh:.1f} ms on a new connection, "
            f"{reused:.1f} ms on a reused one{note}",
            flush=True,
        )
        print(f"  {HEADER}", flush=True)
        assess = [f"/patients/{p}/assessment?as_of={AS_OF}" for p in patients]
        runs = [
            ("GET /patients/{id}/assessment", assess, args.duration),
            ("GET /patients/{id}", [f"/patients/{p}" for p in patients], args.short),
            ("GET /patients?limit=20", ["/patients?limit=20"], args.short),
            ("GET /episodes/{id}", [f"/episodes/{e}" for e in episodes], args.short),
            ("GET /health", ["/health"], args.short),
        ]
        for _name, paths, _ in runs:  # warm-up: every worker imports and loads its caches
            await open_loop(
                client, "warm-up", paths, rate=args.rate / 2, duration=args.warmup, timeout=5
            )
        results = []
        for name, paths, duration in runs:
            await settle(client, group)
            result = await open_loop(
                client,
                name,
                paths,
                rate=args.rate,
                duration=duration,
                timeout=args.timeout,
                server_group=group,
            )
            results.append(result)
            print(f"  {row(result)}", flush=True)
        for rate in args.sweep:  # the main endpoint at other rates (--sweep)
            await settle(client, group)
            result = await open_loop(
                client,
                f"{runs[0][0]} @{rate:g}",
                assess,
                rate=rate,
                duration=args.duration,
                timeout=args.timeout,
                server_group=group,
            )
            results.append(result)
            print(f"  {row(result)}", flush=True)
        return results
    finally:
        client.close()


HEADER = (
    f"{'endpoint':<35} {'req':>5} {'err':>4} {'rps':>6} {'p50':>6} {'p90':>6} "
    f"{'p99':>6} {'max':>7} {'srv':>5} {'pg':>5} {'gen':>5} {'busy':>5}"
)


def row(result: RunResult) -> str:
    s = result.summary()
    return (
        f"{result.name:<35} {s['requests']:>5} {s['errors']:>4} {s['achieved_rps']:>6.1f} "
        f"{s['p50_ms']:>6.1f} {s['p90_ms']:>6.1f} {s['p99_ms']:>6.1f} {s['max_ms']:>7.1f} "
        f"{s['server_cpu']:>5.2f} {s['postgres_cpu']:>5.2f} {s['loadgen_cpu']:>5.2f} "
        f"{s['machine_busy']:>5.0%}"
    )


def bench_backend(backend: str, args: argparse.Namespace) -> list[RunResult]:
    password = secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory(prefix="painpath-bench-") as tmp:
        home = Path(tmp)
        backing = (
            sqlite_backend(home) if backend == "sqlite" else postgres_backend(args.pg_url, home)
        )
        with backing as env:
            started = time.perf_counter()
            add_clinician(env, password)
            with server(env, args.workers, home / "server.log") as (base, group):
                up = time.perf_counter() - started
                print(f"{backend}: server up at {base} after {up:.1f} s", flush=True)
                return asyncio.run(drive(base, group, password, args))


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s (default 200)")
    parser.add_argument("--duration", type=float, default=20.0, help="assessment run, s")
    parser.add_argument("--short", type=float, default=5.0, help="other runs, s")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up per endpoint, s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0, help="per request, s")
    parser.add_argument("--connections", type=int, default=256, help="at most, open at once")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PAINPATH_BENCH_PG_URL")
        or os.environ.get("PAINPATH_TEST_DATABASE_URL")
        or DEFAULT_PG,
        help="a PostgreSQL server to create the temporary database on",
    )
    parser.add_argument(
        "--sweep",
        type=lambda text: [float(r) for r in text.split(",") if r],
        default=[],
        metavar="RATES",
        help="then the assessment endpoint again at these rates, e.g. 100,150",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    for signum in (signal.SIGTERM, signal.SIGHUP):  # unwind (stop the server, drop the db)
        signal.signal(signum, _exit_on_signal)

    info = machine()
    print(
        f"machine: {info['nproc']} cores, {info['cpu']}, {info['memory']}, "
        f"Python {platform.python_version()}; {args.workers} workers; open loop at "
        f"{args.rate:g} req/s; latency in ms from the scheduled send; CPU in cores: srv = "
        "server workers, pg = PostgreSQL, gen = load generator; busy = share of all cores",
        flush=True,
    )
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "python": platform.python_version(),
        "workers": args.workers,
        "rate": args.rate,
        "backends": {},
    }
    failed = False
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}")
        try:
            results = bench_backend(backend, args)
        except Exception as exc:  # e.g. no PostgreSQL server: report it, go on
            print(f"{backend}: not measured ({type(exc).__name__}: {exc})", flush=True)
            report["backends"][backend] = {"error": f"{type(exc).__name__}: {exc}"}
            failed = True
            continue
        report["backends"][backend] = [r.summary() for r in results]
        main_run = results[0]
        s = main_run.summary()
        met = main_run.errors == 0 and float(s["p99_ms"]) <= TARGET_P99_MS
        verdict = "met" if met else "NOT met"
        print(
            f"{backend}: target p99 <= {TARGET_P99_MS:g} ms at {args.rate:g} req/s, 0 errors "
            f"on {main_run.name}: {verdict} (p99 {s['p99_ms']} ms, {s['errors']} errors)",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
