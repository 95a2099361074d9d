"""Generated FHIR Bundles (valid, subtly wrong, hostile) into the importer and `painpath assess`.

Whatever arrives, the answer is a valid result or a clear refusal: `POST /fhir/Bundle` gives
201 (and the patient then assesses) or a 4xx in the one error shape with nothing stored;
`painpath assess` gives a schema-valid document or exit 2 with one line on stderr; a CDS
Hooks patient-view call whose prefetch carries the Bundle's resources gives 200 with
spec-valid cards or a 4xx in the error shape. Never a
5xx, a traceback, a hang or unbounded memory: the worst cases (10^5 entries, a body over
the limit, 10^5-deep nesting) run as real processes under a time limit and an address-space
limit.

`make test` runs `BUNDLE_EXAMPLES` (default 40) derandomized draws per target (half as
many CDS Hooks calls: each runs a whole assessment behind a JWT check); `make
stress` sets `PAINPATH_BUNDLE_EXAMPLES` higher with fresh randomness.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from api._client import ApiClient
from clinic._world import World
from interop._ehr import Ehr, hook_request, prefetch_of
from interop.cds_spec import response_problems
from painpath._api import assess
from painpath.cli import MAX_INPUT_BYTES
from painpath.errors import InputError
from painpath.fhir import MAX_BUNDLE_ENTRIES
from painpath.interop import load_catalog

from ._bundles import bundles, many_entries
from ._server import report

BUNDLE_EXAMPLES = int(os.environ.get("PAINPATH_BUNDLE_EXAMPLES", "40"))
STRESS = os.environ.get("PAINPATH_STRESS") == "1"
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Draft202012Validator(
    json.loads((ROOT / "src/painpath/schemas/assessment-v1.schema.json").read_text())
)
FUZZ = settings(
    max_examples=BUNDLE_EXAMPLES,
    derandomize=not STRESS,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
AS_OF = date(2026, 6, 1)
CDS_FUZZ = settings(FUZZ, max_examples=max(1, BUNDLE_EXAMPLES // 2))
PATIENT_VIEW = "painpath-patient-view"
TRIED: Counter[str] = Counter()  # generated Bundles sent, by target and outcome


@pytest.fixture(scope="module", autouse=True)
def _count_inputs() -> Iterator[None]:
    yield
    report({"test": "bundles", **TRIED})


MEMORY_LIMIT = 1536 * 1024 * 1024  # address space of a worst-case `painpath assess`
TIME_LIMIT = 120  # seconds; the worst case takes ~10 s on the loaded 2-core VM


def _body(bundle: Any) -> bytes:
    return json.dumps(bundle, separators=(",", ":"), allow_nan=False).encode(
        "utf-8", "surrogatepass"
    )


def _check_error_shape(response: Any) -> None:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]


@given(bundle=bundles())
@FUZZ
def test_the_importer_stores_a_bundle_whole_or_refuses_it_with_a_4xx(
    bundle: Any, client: ApiClient, world: World
) -> None:
    headers = {**world.headers("clinician"), "content-type": "application/json"}
    before = client.get("/patients", headers=headers, params={"limit": 1}).json()["total"]
    response = client.post("/fhir/Bundle", content=_body(bundle), headers=headers)
    TRIED[f"import-{response.status_code}"] += 1
    assert response.status_code < 500, response.text
    if response.status_code == 201:
        pid = response.json()["patient_id"]
        assessed = client.get(f"/patients/{pid}/assessment", headers=headers)
        assert assessed.status_code == 200, assessed.text
        SCHEMA.validate(assessed.json())
        return
    assert 400 <= response.status_code < 500
    _check_error_shape(response)
    after = client.get("/patients", headers=headers, params={"limit": 1}).json()["total"]
    assert after == before  # nothing half-saved


@given(bundle=bundles())
@FUZZ
def test_assess_gives_a_valid_document_or_an_input_error(bundle: Any) -> None:
    try:
        doc = assess(bundle, as_of=AS_OF)
        TRIED["assess-ok"] += 1
    except InputError as exc:
        TRIED["assess-exit-2"] += 1
        assert exc.exit_code == 2
        assert "\n" not in exc.message and exc.message
        return
    SCHEMA.validate(json.loads(json.dumps(doc)))


def _resources(bundle: Any) -> list[dict[str, Any]]:
    """The Bundle's entries that look like resources (whatever else they hold)."""
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    found = [e.get("resource") for e in entries or [] if isinstance(e, dict)]
    return [r for r in found if isinstance(r, dict) and isinstance(r.get("resourceType"), str)]


def _prefetch(bundle: Any) -> tuple[str, dict[str, Any]]:
    """The patient and the prefetch an EHR holding this Bundle would send; a Bundle with
    nothing resource-like goes whole into the first search key (a hostile prefetch)."""
    resources = _resources(bundle)
    patients = [r.get("id") for r in resources if r["resourceType"] == "Patient"]
    patient = patients[0] if patients and isinstance(patients[0], str) else "pt-fuzz"
    templates = load_catalog().prefetch
    prefetch = prefetch_of(resources, templates)
    if not resources:
        prefetch[next(k for k, t in templates.items() if "?" in t)] = bundle
    return patient, prefetch


@given(bundle=bundles())
@CDS_FUZZ
def test_a_patient_view_hook_with_the_bundle_as_prefetch_gives_cards_or_a_4xx(
    bundle: Any, app: Any, client: ApiClient
) -> None:
    ehr = Ehr("Clinic A")
    app.state.cds_clients = ehr.clients()
    patient, prefetch = _prefetch(bundle)
    body = _body(hook_request("patient-view", patient, prefetch=prefetch))
    headers = {**ehr.headers(PATIENT_VIEW), "content-type": "application/json"}
    response = client.post(f"/cds-services/{PATIENT_VIEW}", content=body, headers=headers)
    TRIED[f"cds-{response.status_code}"] += 1
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert response_problems(response.json()) == []
        return
    assert 400 <= response.status_code < 500 and response.status_code != 401, response.text
    _check_error_shape(response)


def test_a_bundle_of_more_entries_than_the_limit_is_a_400_naming_the_limit(
    client: ApiClient, world: World
) -> None:
    headers = {**world.headers("clinician"), "content-type": "application/json"}
    body = _body(many_entries(10**5, small=True))
    assert len(body) < 5 * 1024 * 1024  # under the body limit: the entry limit answers
    response = client.post("/fhir/Bundle", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert str(MAX_BUNDLE_ENTRIES) in response.json()["error"]["message"]
    assert client.get("/patients/pt-many", headers=headers).status_code == 404


def test_a_body_over_the_limit_is_413_before_it_is_read(client: ApiClient, world: World) -> None:
    headers = {**world.headers("clinician"), "content-type": "application/json"}
    body = _body(many_entries(10**5))  # 11 MB
    response = client.post("/fhir/Bundle", content=body, headers=headers)
    assert response.status_code == 413
    _check_error_shape(response)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _assess_process(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "painpath", "assess", str(path), "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
    )


@pytest.mark.parametrize(
    "name",
    ["1e5-observations", "1e5-deep", "10MB-string", "over-the-file-limit", "not-json"],
)
def test_painpath_assess_survives_the_worst_cases_in_bounded_time_and_memory(
    name: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.json"
    if name == "1e5-observations":
        path.write_bytes(_body(many_entries(10**5)))
    elif name == "1e5-deep":
        head = _body(many_entries(0))[: -len(b"}}]}")]  # json.dumps cannot nest 10^5 deep
        path.write_bytes(head + b',"extension":' + b"[" * 10**5 + b"]" * 10**5 + b"}}]}")
    elif name == "10MB-string":
        bundle = many_entries(0)
        bundle["entry"][0]["resource"]["name"] = [{"family": "ä" * 10_000_000}]
        path.write_bytes(_body(bundle).decode("unicode_escape").encode())
    elif name == "over-the-file-limit":  # orjson would abort the process on this one
        bundle = many_entries(0)
        bundle["entry"][0]["resource"]["name"] = [{"family": "ä" * (MAX_INPUT_BYTES // 6 + 1)}]
        path.write_bytes(_body(bundle))
    else:
        path.write_bytes(b'{"resourceType": "Bundle", "entry": [' * 1000)
    proc = _assess_process(path)
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:
        SCHEMA.validate(json.loads(proc.stdout))
    else:
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
