"""Regression tests for the defects the fuzzers found (docs/reliability.md, "Defects")."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI

from api._client import ApiClient
from clinic._world import World, patient_bundle
from painpath._api import assess
from painpath.fhir import MAX_JSON_DEPTH

HUGE = 667612857277971431424  # what schemathesis sent: past SQLite's and PostgreSQL's integers


def _nested(depth: int) -> Any:
    node: Any = []
    for _ in range(depth):
        node = [node]
    return node


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", f"/audit?offset={HUGE}", None),
        ("GET", "/audit?user_id=86493887096", None),  # the stress run: past PostgreSQL's integer
        ("GET", f"/patients?offset={2**31}", None),
        ("GET", f"/episodes/{HUGE}", None),
        ("GET", f"/documents/{2**31}", None),
        ("PATCH", f"/users/{HUGE}", {"active": True}),
        ("POST", "/episodes/1/transitions", {"event": "cancel", "version": HUGE}),
    ],
)
def test_an_integer_past_the_databases_range_is_422_not_500(
    client: ApiClient, world: World, method: str, url: str, body: Any
) -> None:
    who = "admin" if url.startswith(("/audit", "/users")) else "clinician"
    response = client.request(method, url, headers=world.headers(who), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid-request"


def _bundle_with(value: Any) -> dict[str, Any]:
    bundle = patient_bundle("pt-hostile")
    bundle["entry"][0]["resource"]["extension"] = [{"url": "urn:x", "valueString": value}]
    return bundle


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("deep", json.dumps(_bundle_with(_nested(MAX_JSON_DEPTH * 14))), "nested too deeply"),
        ("lone surrogate", json.dumps(_bundle_with("\ud800")), "surrogate"),
        ("NUL", json.dumps(_bundle_with("a\x00b")), "U+0000"),
    ],
)
def test_a_hostile_bundle_is_400_and_stores_nothing(
    client: ApiClient, world: World, name: str, body: str, message: str
) -> None:
    headers = {**world.headers("clinician"), "content-type": "application/json"}
    response = client.post("/fhir/Bundle", content=body.encode(), headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid-fhir"
    assert message in response.json()["error"]["message"]
    assert client.get("/patients/pt-hostile", headers=headers).status_code == 404


def test_an_observation_coded_with_a_list_is_read_not_a_crash(
    client: ApiClient, world: World
) -> None:
    """hypothesis: `coding.code` of the wrong JSON type made the reader's code lookup raise
    TypeError (unhashable), a 500 on import and a traceback from `painpath assess`."""
    bundle = patient_bundle("pt-listcode")
    observation = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "subject": {"reference": "Patient/pt-listcode"},
        "code": {"coding": [{"system": ["http://loinc.org"], "code": ["72514-3"]}]},
    }
    bundle["entry"].append({"resource": observation})
    assess(bundle, as_of=date(2026, 6, 1))  # the Observation is simply not one painpath reads
    response = client.post("/fhir/Bundle", json=bundle, headers=world.headers("clinician"))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("patient_id", "gender", "where"),
    [
        (".", "female", "Patient/."),  # hypothesis: imported, then /patients/./... was 404
        ("..", "female", "Patient/.."),
        ("pt-g", "%' UNION SELECT password_hash FROM user_account --", "Patient/pt-g gender"),
        ("pt-g", "f", "Patient/pt-g gender"),
    ],
)
def test_a_patient_the_row_or_the_urls_cannot_hold_is_400(
    client: ApiClient, world: World, patient_id: str, gender: str, where: str
) -> None:
    """The injection test: a 50-character gender was a 500 on PostgreSQL (DataError: the
    column is 20 characters); the Bundle fuzzer: a Patient id `.` was imported but could
    never be read back (a dot segment is resolved out of the URL)."""
    bundle = patient_bundle(patient_id)
    bundle["entry"][0]["resource"]["gender"] = gender
    headers = world.headers("clinician")
    before = client.get("/patients", headers=headers).json()["total"]
    response = client.post("/fhir/Bundle", json=bundle, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == where
    assert client.get("/patients", headers=headers).json()["total"] == before


def test_the_dashboard_pages_errors_are_json_and_documented_as_json(
    app: FastAPI, client: ApiClient, world: World
) -> None:
    """The merge's schemathesis run: `GET /dashboard` answers HTML, but its 401/403/404 are
    the API's JSON error; the OpenAPI document declared them `text/html` (FastAPI files an
    error model under the route's own media type)."""
    responses = app.openapi()["paths"]["/dashboard"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"text/html"}
    for status in ("401", "403", "404"):
        assert set(responses[status]["content"]) == {"application/json"}, status
    for headers, status in (({}, 401), (world.headers("patient"), 403)):
        response = client.get("/dashboard", headers=headers)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert set(response.json()["error"]) == {"code", "message", "field"}
