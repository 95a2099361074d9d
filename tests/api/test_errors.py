"""Every error has one shape, `{"error": {"code", "message", "field"}}`, and the right status."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI

from clinic._world import FAST, Clock, World
from painpath.api import MAX_BODY_BYTES, create_app
from painpath.api import _routes_patients as routes
from painpath.store import make_engine

from ._client import ApiClient

DEAD = {
    "sqlite": "sqlite:////nonexistent-painpath-dir/painpath.db",
    "postgresql": "postgresql://postgres@127.0.0.1:1/painpath",
}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    error: dict[str, Any] = body["error"]
    return error


def test_bad_input_is_400_naming_the_field(client: ApiClient, world: World) -> None:
    response = client.get(
        "/patients", params={"sort": "password"}, headers=world.headers("clinician")
    )
    error = _error(response, 400, "bad-input")
    assert error["field"] == "sort"
    assert "name" in error["message"]  # what is expected


def test_no_credentials_is_401_with_www_authenticate(client: ApiClient, world: World) -> None:
    response = client.get("/patients/pt-own")
    _error(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"].startswith("Bearer")
    bad = client.get("/patients/pt-own", headers={"Authorization": "Bearer not-a-token"})
    _error(bad, 401, "unauthenticated")


def test_a_forbidden_patient_is_403(client: ApiClient, world: World) -> None:
    _error(client.get("/patients/pt-other", headers=world.headers("patient")), 403, "forbidden")


def test_unknown_things_are_404(client: ApiClient, world: World) -> None:
    headers = world.headers("clinician")
    assert _error(client.get("/episodes/999", headers=headers), 404, "not-found")["field"] == (
        "Episode/999"
    )
    _error(client.get("/no/such/route", headers=headers), 404, "not-found")


def test_a_wrong_method_is_405(client: ApiClient) -> None:
    _error(client.request("DELETE", "/health"), 405, "method-not-allowed")


def test_a_malformed_request_is_422_naming_the_field(client: ApiClient, world: World) -> None:
    response = client.post(
        "/episodes/1/transitions", json={"event": "consult"}, headers=world.headers("clinician")
    )
    assert _error(response, 422, "invalid-request")["field"] == "body.version"


def test_an_illegal_transition_is_422_with_the_pathways_code_and_field(
    client: ApiClient, world: World
) -> None:
    headers = world.headers("clinician")
    episode = client.post(
        "/patients/pt-own/episodes",
        headers=headers,
        json={"payload": {"source": "referral", "reason": "r"}},
    ).json()
    missing = client.post(
        f"/episodes/{episode['id']}/transitions",
        headers=headers,
        json={"event": "consult", "payload": {}, "version": episode["version"]},
    )
    error = _error(missing, 422, "invalid-payload")
    assert error["field"] == "history"
    illegal = client.post(
        f"/episodes/{episode['id']}/transitions",
        headers=headers,
        json={"event": "review", "payload": {}, "version": episode["version"]},
    )
    assert "consult" in _error(illegal, 422, "illegal-event")["message"]


def test_a_body_over_the_limit_is_413(client: ApiClient, world: World) -> None:
    big = b"x" * (MAX_BODY_BYTES + 1)
    response = client.post(
        "/fhir/Bundle",
        content=big,
        headers={**world.headers("clinician"), "content-type": "application/json"},
    )
    _error(response, 413, "too-large")


def test_an_unexpected_failure_is_500_and_reveals_nothing(
    client: ApiClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret: Ann Doe, 1961-02-03")

    monkeypatch.setattr(routes, "get_patient", explode)
    with caplog.at_level(logging.INFO):
        response = client.get("/patients/pt-own", headers=world.headers("clinician"))
    error = _error(response, 500, "internal")
    assert error["message"] == "internal error" and "secret" not in response.text
    assert "Ann Doe" not in caplog.text and "RuntimeError" in caplog.text


def test_every_response_carries_the_security_headers(client: ApiClient) -> None:
    response = client.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_health_is_ok_when_the_database_answers(client: ApiClient) -> None:
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_dead_database_is_503_for_health_and_for_every_request(
    db_backend: str, clock: Clock
) -> None:
    engine = make_engine(DEAD[db_backend])
    app: FastAPI = create_app(engine, clock=clock, hasher=FAST)
    client = ApiClient(app)
    try:
        _error(client.get("/health"), 503, "unavailable")
        response = client.get("/patients", headers={"Authorization": "Bearer x"})
        _error(response, 503, "unavailable")
        login = client.post("/auth/token", data={"username": "a@b.org", "password": "x" * 12})
        _error(login, 503, "unavailable")
    finally:
        client.close()
        engine.dispose()


def test_the_openapi_document_names_every_operation(client: ApiClient) -> None:
    schema = client.get("/openapi.json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"fhir.import", "episode.transition", "assessment.run"} <= operations
    assert "ErrorBody" in schema["components"]["schemas"]
