"""Soak: mixed traffic at a steady rate for minutes; errors, latency and server memory.

Run with `make stress` (or `.venv/bin/python bench/soak.py --help`). Same set-up as
bench/bench_api.py (a fresh database, `painpath serve --workers 2`, the public vignettes and
a few Synthea records imported, one episode each), then ONE open-loop run of `--duration`
seconds at `--rate` requests/s rotating over a mix of the three ways in:

- the API with a bearer token: `GET /patients/{id}/assessment` (runs the engine and stores
  the result when it is new), `GET /patients/{id}`, `GET /patients?limit=20`,
  `GET /episodes/{id}`, `GET /patients/{id}/episodes`, `GET /health`,
  `GET /dashboard/data` (the clinic dashboard's aggregates);
- the web pages: `GET /procedures` (public) and, with a clinician's web-session cookie
  from `POST /signin`, the worklist `GET /clinic` and each patient's chart
  `GET /clinic/patients/{id}`;
- CDS Hooks: `POST /cds-services/painpath-patient-view` and `painpath-order-select` from
  a registered test EHR (RS384-signed JWT, renewed every two minutes as each lives under
  five), with the public vignettes' records as prefetch;

in the proportions of `MIX`. The server's resident memory (all its processes) is read at
the start (after a warm-up) and every minute, and printed with the result; the run passes
when it has 0 errors, p99 <= `--p99-ms` and the RSS at the end is within `--rss-growth`
of the start. Exit 0 on pass, 1 on fail. Results go to docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loadgen import machine, open_loop
from bench_api import (
    AS_OF,
    EMAIL,
    add_clinician,
    postgres_backend,
    server,
    set_up,
    sqlite_backend,
)
from bench_cds import SERVICES, HookClient, charts, clients_file, request, token

MIX = {
    "assessment": 4,
    "patient": 2,
    "list": 1,
    "episode": 1,
    "episodes": 1,
    "health": 1,
    "dashboard": 1,
    "page": 1,
    "worklist": 1,
    "chart": 1,
    "patient-view": 1,
    "order-select": 1,
}
"""Requests of each kind in every 16: 4 run the engine on the stored record, 3 render a web
page (2 with the staff cookie), 2 are CDS Hooks calls (which run the engine on the prefetch),
one aggregates the clinic dashboard."""

JWT_RENEWAL_S = 120.0
"""How often the EHR's CDS Hooks JWT is renewed (each lives 290 s)."""


def rss_kb(group: int) -> int:
    """Resident memory of every process in the server's process group, in kB."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            if int(stat[stat.rfind(")") + 2 :].split()[2]) != group:
                continue
            for line in Path(entry.path, "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total


def mixed_paths(
    patients: list[str], episodes: list[int], charts_count: int
) -> list[tuple[str, str]]:
    """One round of the mix over every patient, interleaved. Cookie pages and CDS Hooks
    calls are keys of requests prepared on the client (`prepare_cookie_pages`,
    `prepare_hooks`); the rest are bearer-token GETs. Each path comes with its kind."""
    paths: list[tuple[str, str]] = []
    for i, (pid, eid) in enumerate(zip(patients, episodes, strict=True)):
        kinds = {
            "assessment": f"/patients/{pid}/assessment?as_of={AS_OF}",
            "patient": f"/patients/{pid}",
            "list": "/patients?limit=20",
            "episode": f"/episodes/{eid}",
            "episodes": f"/patients/{pid}/episodes",
            "health": "/health",
            "dashboard": f"/dashboard/data?as_of={AS_OF}",
            "page": "/procedures",  # public
            "worklist": "cookie:/clinic",
            "chart": f"cookie:/clinic/patients/{pid}",
            "patient-view": f"hook:patient-view:{i % charts_count}",
            "order-select": f"hook:order-select:{i % charts_count}",
        }
        for kind, count in MIX.items():
            paths.extend([(kind, kinds[kind])] * count)
    return paths


async def web_cookie(client: httpx.AsyncClient, password: str) -> str:
    """Sign in on the web form as the clinician: the session cookie's value."""
    signed_in = await client.post("/signin", data={"email": EMAIL, "password": password})
    if signed_in.status_code != 303:
        raise SystemExit(f"soak: web sign-in answered {signed_in.status_code}")
    value = signed_in.cookies.get("painpath_session")
    if not value:
        raise SystemExit("soak: web sign-in set no session cookie")
    return str(value)


def prepare_cookie_pages(client: HookClient, paths: list[str], cookie: str) -> None:
    for key in {p for p in paths if p.startswith("cookie:")}:
        path = key.removeprefix("cookie:")
        client.prepared[key] = (
            f"GET {path} HTTP/1.1\r\nHost: {client.host_header}\r\n"
            f"Cookie: painpath_session={cookie}\r\n\r\n"
        ).encode()


def prepare_hooks(client: HookClient, base: str, key: object) -> None:
    """(Re)prepare every CDS Hooks request with a JWT signed now."""
    records = charts()
    for hook, service in SERVICES.items():
        path = f"/cds-services/{service}"
        signed = token(key, f"{base}{path}")
        for i, (patient, resources) in enumerate(records):
            body = request(hook, patient, resources, None)
            client.prepare(f"hook:{hook}:{i}", path, signed, body)


async def soak(
    base: str, group: int, password: str, ehr_key: object, args: argparse.Namespace
) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60) as setup:
        patients, episodes, bearer = await set_up(setup, password)
        cookie = await web_cookie(setup, password)
    host, port = base.removeprefix("http://").split(":")
    client = HookClient(host, int(port), 256, {"Authorization": f"Bearer {bearer}"})
    mix = mixed_paths(patients, episodes, len(charts()))
    paths = [path for _kind, path in mix]
    kind_of = {path: kind for kind, path in mix}
    prepare_cookie_pages(client, paths, cookie)
    prepare_hooks(client, base, ehr_key)
    samples: list[tuple[float, int]] = []

    async def renew() -> None:
        while True:
            await asyncio.sleep(JWT_RENEWAL_S)
            prepare_hooks(client, base, ehr_key)

    renewer = asyncio.create_task(renew())
    try:
        await open_loop(client, "warm-up", paths, rate=args.rate, duration=20, timeout=5)
        start_rss = rss_kb(group)
        loop = asyncio.get_running_loop()
        began = loop.time()

        async def sample() -> None:
            while True:
                samples.append((round(loop.time() - began), rss_kb(group)))
                await asyncio.sleep(60)

        sampler = asyncio.create_task(sample())
        result = await open_loop(
            client,
            "mixed",
            paths,
            rate=args.rate,
            duration=args.duration,
            timeout=args.timeout,
            server_group=group,
        )
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        end_rss = rss_kb(group)
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
        client.close()
    summary = result.summary()
    per_kind: dict[str, list[float]] = {}
    for path, latencies in result.by_path_ms.items():
        per_kind.setdefault(kind_of[path], []).extend(latencies)
    summary["p99_ms_by_kind"] = {
        kind: round(sorted(values)[min(len(values) - 1, int(0.99 * len(values)))], 1)
        for kind, values in sorted(per_kind.items())
    }
    growth = (end_rss - start_rss) / start_rss if start_rss else 0.0
    summary.update(
        {
            "duration_s": args.duration,
            "mix": MIX,
            "rss_start_kb": start_rss,
            "rss_end_kb": end_rss,
            "rss_growth": round(growth, 3),
            "rss_samples_kb": samples,
            "p99_target_ms": args.p99_ms,
            "passed": result.errors == 0
            and float(summary["p99_ms"]) <= args.p99_ms
            and growth <= args.rss_growth,
        }
    )
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--rate", type=float, default=40.0, help="requests/s (default 40)")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--timeout", type=float, default=5.0, help="per request, s")
    parser.add_argument("--p99-ms", type=float, default=100.0, help="p99 target (default 100)")
    parser.add_argument(
        "--rss-growth", type=float, default=0.10, help="largest RSS growth allowed (0.10 = 10%%)"
    )
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    print(f"soak: {machine()}", flush=True)
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="painpath-soak-") as tmp:
        home = Path(tmp)
        pg = os.environ.get("PAINPATH_BENCH_PG_URL") or os.environ.get(
            "PAINPATH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
        backend = sqlite_backend(home) if args.backend == "sqlite" else postgres_backend(pg, home)
        with backend as env:
            add_clinician(env, password)
            clients, ehr_key = clients_file(home, "RS384")
            env["PAINPATH_CDS_CLIENTS"] = str(clients)
            env.pop("PAINPATH_PUBLIC_URL", None)  # the JWT audience is the URL called
            with server(env, 2, home / "serve.log") as (base, group):
                summary = asyncio.run(soak(base, group, password, ehr_key, args))
    summary["backend"] = args.backend
    print(json.dumps(summary, indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
