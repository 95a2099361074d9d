"""A test EHR: its signing key and JWTs, a local FHIR server, and request builders.

`Ehr` holds a P-384 key pair: the public half is registered with painpath as a CDS client
(`clients()`), the private half signs the JWTs (`token(aud)`). `FhirStub` is a real HTTP
server on 127.0.0.1 (a thread of `http.server`) that answers FHIR reads and searches from a
list of resources, records each request's path and Authorization header, and can be told
to fail (`status`) or to stall (`delay`).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from painpath.interop import CdsClient, CdsClients

SHARED = Path(__file__).resolve().parents[3] / "shared"
OPIOID = SHARED / "data" / "cqframework-opioid-cds-r4"
SYNTHEA = SHARED / "data" / "synthea-smart-generated-sample-data-r4"
BASE = "https://testserver"
ISS = "https://ehr.example.org"


class Ehr:
    """An EHR registered with painpath (issuer `ISS`, clinic `clinic`)."""

    def __init__(self, clinic: str = "Clinic A", fhir_servers: tuple[str, ...] = ()) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        self.kid = "ehr-key-1"
        self.clinic = clinic
        self.fhir_servers = fhir_servers

    def clients(self, *extra_servers: str) -> CdsClients:
        jwk = jwt.PyJWK.from_dict(
            {
                **json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key())),
                "kid": self.kid,
                "alg": "ES384",
            }
        )
        servers = (*self.fhir_servers, *extra_servers)
        return CdsClients({ISS: CdsClient(ISS, self.clinic, (jwk,), servers)})

    def token(self, aud: str, *, iss: str = ISS, lifetime: int = 120, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": iss,
            "aud": aud,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="ES384", headers={"kid": self.kid})

    def headers(self, service: str, *, feedback: bool = False) -> dict[str, str]:
        aud = f"{BASE}/cds-services/{service}" + ("/feedback" if feedback else "")
        return {"Authorization": f"Bearer {self.token(aud)}"}


def server_form(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """A Synthea-style Bundle's resources as a FHIR server holds them: `urn:uuid:` references
    turned into `Type/id`, claims left out."""
    urls = {
        e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle["entry"]
        if "fullUrl" in e
    }

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: fix(v) for k, v in node.items()}
            if isinstance(out.get("reference"), str) and out["reference"] in urls:
                out["reference"] = urls[out["reference"]]
            return out
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    skip = {"Claim", "ExplanationOfBenefit"}
    return [
        fix(e["resource"]) for e in bundle["entry"] if e["resource"]["resourceType"] not in skip
    ]


def prefetch_of(resources: list[dict[str, Any]], templates: dict[str, str]) -> dict[str, Any]:
    """The prefetch an EHR would send for painpath's templates: one searchset per key."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for res in resources:
        by_type.setdefault(res["resourceType"], []).append(res)
    out: dict[str, Any] = {}
    for key, template in templates.items():
        rtype = template.split("?")[0].split("/")[0]
        if "?" not in template:
            out[key] = by_type.get(rtype, [None])[0]
            continue
        found = list(by_type.get(rtype, []))
        if "_include=" in template:
            found += by_type.get("Medication", [])
        out[key] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in found],
        }
    return out


def hook_request(
    hook: str,
    patient: str,
    *,
    prefetch: dict[str, Any] | None = None,
    orders: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A CDS Hooks request of `hook` for `patient`."""
    context: dict[str, Any] = {"userId": "Practitioner/dr-1", "patientId": patient}
    if hook != "patient-view":
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": o} for o in orders or []],
        }
        if hook == "order-select":
            context["selections"] = [f"ServiceRequest/{o['id']}" for o in orders or []]
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    body.update(extra)
    return body


def service_request(rid: str, patient: str, cpt: str) -> dict[str, Any]:
    """A draft order of one CPT code."""
    return {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient}"},
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": cpt}]},
    }


class FhirStub:
    """A FHIR server on 127.0.0.1 answering reads and `?patient=` searches (see above)."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.resources = resources
        self.requests: list[tuple[str, str | None]] = []
        self.status = 200
        self.delay = 0.0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests.append((self.path, self.headers.get("Authorization")))
                if stub.delay:
                    time.sleep(stub.delay)
                status, body = stub.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/fhir"

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        if self.status != 200:
            return self.status, {"resourceType": "OperationOutcome"}
        parts = urlsplit(path)
        segments = parts.path.removeprefix("/fhir/").split("/")
        if len(segments) == 2:
            found = [
                r
                for r in self.resources
                if r["resourceType"] == segments[0] and r.get("id") == segments[1]
            ]
            return (200, found[0]) if found else (404, {"resourceType": "OperationOutcome"})
        query = parse_qs(parts.query)
        patient = f"Patient/{query.get('patient', [''])[0]}"
        rtype = segments[0]
        hits = [
            r
            for r in self.resources
            if r["resourceType"] == rtype
            and patient
            in json.dumps(r.get("subject") or r.get("patient") or r.get("beneficiary") or {})
        ]
        if "_include" in query:
            hits += [r for r in self.resources if r["resourceType"] == "Medication"]
        return 200, {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in hits],
        }

    @contextmanager
    def running(self) -> Iterator[FhirStub]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join()
