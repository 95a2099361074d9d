"""Benchmark: the CDS Hooks services under constant-rate load, with prefetch.

Run with `make bench` (or `.venv/bin/python bench/bench_cds.py --help`):

1. a fresh SQLite database in a temporary PAINPATH_HOME (PostgreSQL with
   `--backends postgresql`, as bench_api.py), and a clients file registering a test EHR
   (an RSA key made for the run, RS384; `--alg ES384` for P-384) through PAINPATH_CDS_CLIENTS;
2. the real server, `painpath serve --workers 2`, on a free 127.0.0.1 port;
3. open-loop, constant-rate POSTs (bench/_loadgen.py) of complete CDS Hooks requests with
   the whole record as prefetch (the public vignettes), each with the EHR's signed JWT:
   - `patient-view, new data`: every request's record differs (a unique extension on the
     Patient), so the engine assesses every request: the cost of a chart not seen before;
   - `order-select, new data`: the same with a draft order of a lumbar transforaminal
     epidural (CPT 64483);
   - `both, repeated charts`: the two hooks alternating over the ten vignette charts as
     they are, so after the first call of each the assessment comes from the per-process
     cache (the same chart opened again, or signing an order just selected).

Each request is also audited (one row per call). Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import secrets
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from _loadgen import RawClient, RunResult, machine, open_loop
from bench_api import (
    HEADER,
    TARGET_P99_MS,
    VIGNETTES,
    _exit_on_signal,
    postgres_backend,
    row,
    server,
    settle,
    sqlite_backend,
)
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISS = "https://bench-ehr.example.org"
TEMPLATE_KEYS = {  # prefetch key -> resource types (painpath's templates, cds-services.yaml)
    "patient": ("Patient",),
    "conditions": ("Condition",),
    "medicationRequests": ("MedicationRequest", "Medication"),
    "medicationStatements": ("MedicationStatement",),
    "procedures": ("Procedure",),
    "observations": ("Observation",),
    "diagnosticReports": ("DiagnosticReport",),
    "imagingStudies": ("ImagingStudy",),
    "questionnaireResponses": ("QuestionnaireResponse",),
    "allergies": ("AllergyIntolerance",),
    "coverage": ("Coverage",),
}


class HookClient(RawClient):
    """RawClient whose `get(key)` sends the prepared request stored under `key` (any other
    key is a plain GET of that path with `headers`)."""

    def __init__(
        self, host: str, port: int, max_connections: int, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(host, port, headers or {}, max_connections)
        self.host_header = f"{host}:{port}"
        self.prepared: dict[str, bytes] = {}

    def prepare(self, key: str, path: str, token: str, body: bytes) -> None:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host_header}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.prepared[key] = head + body

    async def get(self, path: str) -> tuple[int, int]:
        prepared = self.prepared.get(path)
        return await (self.send(prepared) if prepared is not None else super().get(path))


def charts() -> list[tuple[str, list[dict[str, Any]]]]:
    """(patient id, resources) of each public vignette."""
    out = []
    for path in sorted(VIGNETTES.glob("*.bundle.json")):
        resources = [e["resource"] for e in json.loads(path.read_text())["entry"]]
        patient = next(r["id"] for r in resources if r["resourceType"] == "Patient")
        out.append((patient, resources))
    return out


def prefetch(resources: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, types in TEMPLATE_KEYS.items():
        found = [r for r in resources if r["resourceType"] in types]
        if key == "patient":
            out[key] = found[0]
        else:
            out[key] = {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": r} for r in found],
            }
    return out


def request(hook: str, patient: str, resources: list[dict[str, Any]], marker: str | None) -> bytes:
    data = prefetch(resources)
    if marker is not None:  # new data: the record differs, so the engine runs
        data["patient"] = {
            **data["patient"],
            "extension": [{"url": "https://bench.example.org/visit", "valueString": marker}],
        }
    context: dict[str, Any] = {"userId": "Practitioner/bench", "patientId": patient}
    if hook == "order-select":
        order = {
            "resourceType": "ServiceRequest",
            "id": "bench-order",
            "status": "draft",
            "intent": "order",
            "subject": {"reference": f"Patient/{patient}"},
            "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "64483"}]},
        }
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": order}],
        }
        context["selections"] = ["ServiceRequest/bench-order"]
    body = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context, "prefetch": data}
    return json.dumps(body).encode()


ALGORITHM = {"value": "RS384"}


def clients_file(home: Path, alg: str) -> tuple[Path, Any]:
    """A clients file registering the bench EHR's public key (RS384: RSA 2048; ES384: P-384)."""
    ALGORITHM["value"] = alg
    if alg == "ES384":
        key: Any = ec.generate_private_key(ec.SECP384R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    entry = {"iss": ISS, "clinic": "main", "jwks": {"keys": [{**jwk, "kid": "k1", "alg": alg}]}}
    path = home / "cds-clients.json"
    path.write_text(json.dumps({"clients": [entry]}))
    return path, key


def token(key: Any, aud: str) -> str:
    now = int(time.time())
    claims = {"iss": ISS, "aud": aud, "iat": now, "exp": now + 290, "jti": secrets.token_hex(8)}
    return jwt.encode(claims, key, algorithm=ALGORITHM["value"], headers={"kid": "k1"})


SERVICES = {"patient-view": "painpath-patient-view", "order-select": "painpath-order-select"}


async def drive(base: str, group: int, key: Any, args: argparse.Namespace) -> list[RunResult]:
    host, port = base.removeprefix("http://").split(":")
    client = HookClient(host, int(port), args.connections)
    records = charts()
    count = round(max([args.rate, *args.sweep]) * args.duration)

    def prepare(name: str, hook: str, unique: bool) -> list[str]:
        service = SERVICES[hook]
        path = f"/cds-services/{service}"
        signed = token(key, f"{base}{path}")  # one JWT per run: each lives under 5 minutes
        keys = []
        for i in range(count if unique else len(records)):
            patient, resources = records[i % len(records)]
            marker = f"{name}-{i}" if unique else None
            client.prepare(f"{name}/{i}", path, signed, request(hook, patient, resources, marker))
            keys.append(f"{name}/{i}")
        return keys

    try:
        warm = prepare("warm-up", "patient-view", False) + prepare(
            "warm-up-o", "order-select", False
        )
        await open_loop(
            client, "warm-up", warm, rate=args.rate / 2, duration=args.warmup, timeout=5
        )
        print(f"  {HEADER}", flush=True)
        results = []
        plans = [
            ("patient-view, new data", ["patient-view"], True),
            ("order-select, new data", ["order-select"], True),
            ("both, repeated charts", ["patient-view", "order-select"], False),
        ]
        plans += [(f"{n} @{r:g}", h, u, r) for r in args.sweep for n, h, u in plans]
        for name, hooks, unique, *rest in plans:
            rate = rest[0] if rest else args.rate
            keys: list[str] = []
            per_hook = [prepare(f"{name}:{h}", h, unique) for h in hooks]
            for group_keys in zip(*per_hook, strict=True):
                keys.extend(group_keys)
            await settle(client, group)
            result = await open_loop(
                client,
                name,
                keys,
                rate=rate,
                duration=args.duration,
                timeout=args.timeout,
                server_group=group,
            )
            results.append(result)
            print(f"  {row(result)}", flush=True)
            for k in keys:
                client.prepared.pop(k, None)
        return results
    finally:
        client.close()


def bench_backend(backend: str, args: argparse.Namespace) -> list[RunResult]:
    with tempfile.TemporaryDirectory(prefix="painpath-bench-cds-") as tmp:
        home = Path(tmp)
        backing = (
            sqlite_backend(home) if backend == "sqlite" else postgres_backend(args.pg_url, home)
        )
        with backing as env:
            path, key = clients_file(home, args.alg)
            env["PAINPATH_CDS_CLIENTS"] = str(path)
            env.pop("PAINPATH_PUBLIC_URL", None)
            with server(env, args.workers, home / "server.log") as (base, group):
                print(f"{backend}: server up at {base}", flush=True)
                return asyncio.run(drive(base, group, key, args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s (default 200)")
    parser.add_argument("--duration", type=float, default=20.0, help="per run, s")
    parser.add_argument("--warmup", type=float, default=2.0, help="s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0, help="per request, s")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--alg",
        default="RS384",
        choices=["RS384", "ES384"],
        help="the EHR's JWT algorithm (both named by CDS Hooks)",
    )
    parser.add_argument(
        "--sweep",
        type=lambda t: [float(r) for r in t.split(",") if r],
        default=[],
        metavar="RATES",
        help="then the runs again at these rates, e.g. 50,100",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    info = machine()
    print(
        f"machine: {info['nproc']} cores, {info['cpu']}, {info['memory']}, Python "
        f"{platform.python_version()}; {args.workers} workers; open loop at {args.rate:g} "
        "req/s; latency in ms from the scheduled send",
        flush=True,
    )
    report: dict[str, Any] = {"machine": info, "rate": args.rate, "backends": {}}
    failed = False
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        try:
            results = bench_backend(backend, args)
        except Exception as exc:
            print(f"{backend}: not measured ({type(exc).__name__}: {exc})", flush=True)
            failed = True
            continue
        report["backends"][backend] = [r.summary() for r in results]
        for result in results:
            s = result.summary()
            met = result.errors == 0 and float(s["p99_ms"]) <= TARGET_P99_MS
            print(
                f"{backend}: {result.name}: target p99 <= {TARGET_P99_MS:g} ms at "
                f"{args.rate:g} req/s with 0 errors {'met' if met else 'NOT met'} "
                f"(p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, {s['achieved_rps']} req/s, "
                f"{s['errors']} errors)",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
