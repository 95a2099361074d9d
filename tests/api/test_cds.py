"""CDS Hooks through the real HTTP app: discovery, the three hooks with and without
prefetch (a FHIR server on 127.0.0.1), bad input, JWTs, feedback. Every hook response is
checked against the spec's response rules (`interop/cds_spec.py`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from clinic._world import World, vignette
from interop._ehr import (
    OPIOID,
    SYNTHEA,
    Ehr,
    FhirStub,
    hook_request,
    prefetch_of,
    server_form,
    service_request,
)
from interop.cds_spec import discovery_problems, response_problems
from painpath.interop import load_catalog
from painpath.store import AuditEvent, CdsFeedback

from ._client import ApiClient

PV, OSEL, OSIGN = "painpath-patient-view", "painpath-order-select", "painpath-order-sign"
TEMPLATES = load_catalog().prefetch
SYNTHEA_PATIENT = "Randolph_Wisoky_efd5a034-1a2d-4cd4-88f2-3a2e192d403a"


@pytest.fixture
def ehr(app: FastAPI) -> Ehr:
    """A registered EHR (clinic A); the app trusts its key."""
    found = Ehr("Clinic A")
    app.state.cds_clients = found.clients()
    return found


def _vignette_prefetch(name: str) -> tuple[str, dict[str, Any]]:
    bundle = vignette(name)
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    return patient, prefetch_of(resources, TEMPLATES)


def _call(client: ApiClient, ehr: Ehr, service: str, body: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {**ehr.headers(service), "Content-Type": "application/json"}
    return client.post(f"/cds-services/{service}", content=data, headers=headers)


def _ok(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert response_problems(body) == []
    cards: list[dict[str, Any]] = body["cards"]
    return cards


def _audits(world: World, resource_prefix: str) -> list[AuditEvent]:
    with world.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [r for r in rows if r.resource.startswith(resource_prefix)]


# ---------------------------------------------------------------- discovery


def test_discovery_lists_the_three_hooks_with_prefetch_templates(client: ApiClient) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    body = response.json()
    assert discovery_problems(body) == []
    hooks = {s["id"]: s["hook"] for s in body["services"]}
    assert hooks == {PV: "patient-view", OSEL: "order-select", OSIGN: "order-sign"}
    assert body["services"][0]["prefetch"]["patient"] == "Patient/{{context.patientId}}"


# ---------------------------------------------------------------- patient-view with prefetch


def test_patient_view_shows_the_engine_status_and_top_options(
    client: ApiClient, ehr: Ehr, world: World
) -> None:
    patient, prefetch = _vignette_prefetch("radicular-ready")
    cards = _ok(_call(client, ehr, PV, hook_request("patient-view", patient, prefetch=prefetch)))
    assert len(cards) == 1
    assert cards[0]["summary"].startswith("painpath: Interventional pain consultation")
    assert cards[0]["indicator"] in ("info", "warning")
    assert "esi-" in cards[0]["detail"] and "CPT" in cards[0]["detail"]
    assert "links" not in cards[0]  # the patient is not in painpath's store
    rows = _audits(world, f"cds.{PV}")
    assert [(r.outcome, r.patient_id, r.role) for r in rows] == [("allowed", patient, "cds-client")]


def test_patient_view_red_flag_is_critical(client: ApiClient, ehr: Ehr, world: World) -> None:
    patient, prefetch = _vignette_prefetch("cauda-equina")
    cards = _ok(_call(client, ehr, PV, hook_request("patient-view", patient, prefetch=prefetch)))
    assert cards[0]["indicator"] == "critical"
    assert "Red flag" in cards[0]["summary"]


def test_patient_view_links_the_chart_of_a_patient_painpath_holds(
    client: ApiClient, ehr: Ehr, world: World
) -> None:
    patient = {"resourceType": "Patient", "id": "pt-own", "gender": "female"}
    prefetch = {key: None for key in TEMPLATES} | {"patient": patient}
    cards = _ok(
        _call(client, ehr, PV, hook_request("patient-view", "Patient/pt-own", prefetch=prefetch))
    )
    assert cards[0]["links"] == [
        {
            "label": "Open the painpath chart",
            "url": "https://testserver/clinic/patients/pt-own",
            "type": "absolute",
        }
    ]
    assert cards[0]["indicator"] == "info"


SYNTHEA_CHARTS = [
    SYNTHEA_PATIENT,
    "Cary_OHara_e39beddb-dcad-4762-a3ca-b671a92a5f2d",
    "Natalia_Ruelas_bff04956-b74d-46b1-b8a3-a41b083b3045",
    "Pierre_Bosco_85812c4a-7b8e-4754-aaa4-64b3aef16f7e",
]


@pytest.mark.shared_data("synthea-smart-generated-sample-data-r4")
@pytest.mark.parametrize("name", SYNTHEA_CHARTS)
def test_both_hooks_answer_with_a_synthea_record_as_prefetch(
    name: str, client: ApiClient, ehr: Ehr
) -> None:
    bundle = json.loads((SYNTHEA / "bundles" / f"{name}.json").read_text())
    resources = server_form(bundle)
    patient = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    prefetch = prefetch_of(resources, TEMPLATES)
    cards = _ok(_call(client, ehr, PV, hook_request("patient-view", patient, prefetch=prefetch)))
    assert len(cards) == 1 and cards[0]["summary"].startswith("painpath: ")
    order = service_request("sr-1", patient, "64483")
    body = hook_request("order-sign", patient, prefetch=prefetch, orders=[order])
    order_cards = _ok(_call(client, ehr, OSIGN, body))
    if "No condition" in cards[0]["summary"]:  # no option at all: the order card says so
        assert [c["summary"] for c in order_cards] == [
            "esi-transforaminal-lumbar (CPT 64483): no matching diagnosis on record"
        ]


# ---------------------------------------------------------------- order hooks


def test_order_select_of_an_ablation_without_blocks_suggests_the_block_first(
    client: ApiClient, ehr: Ehr
) -> None:
    patient, prefetch = _vignette_prefetch("axial-low-back-pain")
    order = service_request("sr-rfa", patient, "64635")  # lumbar facet RFA
    body = hook_request("order-select", patient, prefetch=prefetch, orders=[order])
    cards = _ok(_call(client, ehr, OSEL, body))
    by_summary = {c["summary"]: c for c in cards}
    not_indicated = by_summary["facet-rfa-lumbar is not indicated now"]
    suggestion = not_indicated["suggestions"][0]
    assert suggestion["label"].startswith("Order facet-mbb-lumbar (CPT 64493) first")
    assert [a["type"] for a in suggestion["actions"]] == ["delete", "create"]
    assert suggestion["actions"][0]["resourceId"] == ["ServiceRequest/sr-rfa"]
    created = suggestion["actions"][1]["resource"]
    assert created["code"]["coding"][0]["code"] == "64493"
    coverage = next(c for c in cards if c["summary"].startswith("Payer criteria for facet-rfa"))
    assert "facet-diagnosis" in coverage["summary"] and "two-positive-blocks" in coverage["detail"]
    assert all(c["overrideReasons"] for c in cards)


def test_order_sign_warns_of_the_warfarin_hold_with_its_days(client: ApiClient, ehr: Ehr) -> None:
    patient, prefetch = _vignette_prefetch("warfarin-esi")
    order = service_request("sr-tfesi", patient, "64483")
    body = hook_request("order-sign", patient, prefetch=prefetch, orders=[order])
    cards = _ok(_call(client, ehr, OSIGN, body))
    assert [c["summary"] for c in cards] == [
        "Hold warfarin 5 days before esi-transforaminal-lumbar; restart 6 h after"
    ]
    assert cards[0]["indicator"] == "warning"
    assert "stop warfarin" not in cards[0]["detail"]  # no planned day in the order


def test_a_planned_day_on_the_order_gives_the_stop_date(client: ApiClient, ehr: Ehr) -> None:
    patient, prefetch = _vignette_prefetch("warfarin-esi")
    order = service_request("sr-tfesi", patient, "64483")
    order["occurrenceDateTime"] = "2026-06-20T08:00:00Z"
    body = hook_request("order-sign", patient, prefetch=prefetch, orders=[order])
    (card,) = _ok(_call(client, ehr, OSIGN, body))
    assert "For the procedure on 2026-06-20: stop warfarin on 2026-06-15" in card["detail"]


def test_order_select_ignores_orders_that_are_not_painpath_procedures(
    client: ApiClient, ehr: Ehr
) -> None:
    order = service_request("sr-xray", "p1", "72100")  # a spine X-ray: not a procedure here
    body = hook_request("order-select", "p1", orders=[order])  # no prefetch, no fhirServer
    assert _ok(_call(client, ehr, OSEL, body)) == []


def test_order_only_among_selections_for_order_select(client: ApiClient, ehr: Ehr) -> None:
    patient, prefetch = _vignette_prefetch("warfarin-esi")
    order = service_request("sr-tfesi", patient, "64483")
    body = hook_request("order-select", patient, prefetch=prefetch, orders=[order])
    body["context"]["selections"] = ["ServiceRequest/other"]
    assert _ok(_call(client, ehr, OSEL, body)) == []


# ---------------------------------------------------------------- without prefetch


def _synthea_stub() -> tuple[str, FhirStub]:
    bundle = json.loads((SYNTHEA / "bundles" / f"{SYNTHEA_PATIENT}.json").read_text())
    resources = server_form(bundle)
    patient = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    return patient, FhirStub(resources)


def _auth(stub: FhirStub) -> dict[str, Any]:
    return {
        "fhirServer": stub.base,
        "fhirAuthorization": {
            "access_token": "ehr-access-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "painpath",
            "patient": "x",
        },
    }


def test_without_prefetch_painpath_fetches_from_the_fhir_server_with_the_token(
    app: FastAPI, client: ApiClient, ehr: Ehr
) -> None:
    patient, stub = _synthea_stub()
    app.state.cds_clients = ehr.clients(stub.base)
    with stub.running():
        body = hook_request("patient-view", patient, **_auth(stub))
        cards = _ok(_call(client, ehr, PV, body))
    assert len(cards) == 1
    paths = sorted(path for path, _ in stub.requests)
    assert f"/fhir/Patient/{patient}" in paths
    assert f"/fhir/Condition?patient={patient}" in paths
    assert len(paths) == len(TEMPLATES)
    assert {auth for _, auth in stub.requests} == {"Bearer ehr-access-token"}


def test_partial_prefetch_fetches_only_the_missing_keys(
    app: FastAPI, client: ApiClient, ehr: Ehr
) -> None:
    patient, stub = _synthea_stub()
    app.state.cds_clients = ehr.clients(stub.base)
    full = prefetch_of(stub.resources, TEMPLATES)
    sent = {key: full[key] for key in ("patient", "conditions")}
    with stub.running():
        body = hook_request("patient-view", patient, prefetch=sent, **_auth(stub))
        _ok(_call(client, ehr, PV, body))
    assert len(stub.requests) == len(TEMPLATES) - 2
    assert not any(p.startswith("/fhir/Condition") for p, _ in stub.requests)


@pytest.mark.parametrize("failure", ["status", "timeout"])
def test_a_failing_fhir_server_gives_412_without_cards(
    failure: str,
    app: FastAPI,
    client: ApiClient,
    ehr: Ehr,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    from painpath.interop import _fetch

    patient, stub = _synthea_stub()
    app.state.cds_clients = ehr.clients(stub.base)
    if failure == "status":
        stub.status = 503
    else:
        stub.delay = 1.0
        monkeypatch.setattr(_fetch, "TIMEOUT", httpx.Timeout(0.2))
    with stub.running():
        response = _call(client, ehr, PV, hook_request("patient-view", patient, **_auth(stub)))
    assert response.status_code == 412
    error = response.json()["error"]
    assert "cards" not in response.json()
    assert error["code"] == "fhir-unavailable"
    assert ("answered 503" if failure == "status" else "did not answer in time") in error["message"]
    assert error["field"].startswith("prefetch.")
    assert [r.outcome for r in _audits(world, f"cds.{PV}")] == ["error"]


def test_an_unregistered_fhir_server_is_never_called(client: ApiClient, ehr: Ehr) -> None:
    patient, stub = _synthea_stub()  # the EHR is not registered with this server
    with stub.running():
        response = _call(client, ehr, PV, hook_request("patient-view", patient, **_auth(stub)))
    assert response.status_code == 412
    assert response.json()["error"]["field"] == "fhirServer"
    assert stub.requests == []


def test_no_prefetch_and_no_fhir_server_is_412(client: ApiClient, ehr: Ehr) -> None:
    response = _call(client, ehr, PV, hook_request("patient-view", "p1"))
    assert response.status_code == 412
    assert "no fhirServer" in response.json()["error"]["message"]


# ---------------------------------------------------------------- bad input


def _hook_of(path: Path) -> str:
    text = path.read_text()
    for hook in ("patient-view", "order-select", "order-sign"):
        if f'"hook": "{hook}"' in text or f'"hook":"{hook}"' in text:
            return hook
    raise AssertionError(f"no hook in {path}")


def _opioid_requests(valid: bool) -> list[Path]:
    out = []
    for path in sorted((OPIOID / "requests").rglob("*.json")):
        try:
            json.loads(path.read_text())
            ok = True
        except ValueError:
            ok = False
        if ok == valid:
            out.append(path)
    return out


SERVICE = {"patient-view": PV, "order-select": OSEL, "order-sign": OSIGN}


@pytest.mark.shared_data("cqframework-opioid-cds-r4")
def test_every_malformed_upstream_request_gets_400_with_the_json_error(
    client: ApiClient, ehr: Ehr
) -> None:
    paths = _opioid_requests(valid=False)
    assert len(paths) == 62
    for path in paths:
        response = _call(client, ehr, SERVICE[_hook_of(path)], path.read_bytes())
        assert response.status_code == 400, path.name
        error = response.json()["error"]
        assert error["field"] == "body", path.name
        assert error["message"].startswith("body: not valid JSON:"), path.name
        assert " at line " in error["message"] and " column " in error["message"]


@pytest.mark.shared_data("cqframework-opioid-cds-r4")
def test_the_well_formed_upstream_requests_get_valid_answers(
    app: FastAPI, client: ApiClient, ehr: Ehr
) -> None:
    answers: dict[str, int] = {}
    for path in _opioid_requests(valid=True):
        body = json.loads(path.read_text())
        items = body.get("prefetch") or {}
        resources = [(v.get("resource") or v) for v in items.values() if isinstance(v, dict)]
        stub = FhirStub([r for r in resources if r.get("resourceType") != "Bundle"])
        app.state.cds_clients = ehr.clients(stub.base)
        if body.get("fhirServer", "").startswith("http"):
            body["fhirServer"] = stub.base
        with stub.running():
            response = _call(client, ehr, SERVICE[body["hook"]], body)
        answers[path.name] = response.status_code
        if response.status_code == 200:
            assert response_problems(response.json()) == []
        else:
            assert response.json()["error"]["message"]
    assert answers == {
        "HelloWorld.json": 400,  # fhirServer "{{fhirServerUrl}}" is a template, not a URL
        "noPrefetch.json": 200,  # a medication order: nothing for painpath
        "request-example-rec-10-illicit-drugs-POS-Opiate-non-synthetic.json": 200,
        # an Observation of another patient among this patient's prefetch: refused
        "request-example-rec-10-patient-view-2-illicit-drugs.json": 400,
        "request-example-rec-11-patient-view-benzo-trigger-with-opioid.json": 200,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("hookInstance"), "hookInstance"),
        (lambda b: b["context"].pop("patientId"), "context.patientId"),
        (lambda b: b.update(hook="order-sign"), "hook"),
        (
            lambda b: b.update(
                fhirAuthorization={
                    "access_token": "t",
                    "token_type": "Bearer",
                    "expires_in": 1,
                    "scope": "user/*.read",
                    "subject": "s",
                }
            ),
            "fhirServer",
        ),  # cds-r-1
        (
            lambda b: b.update(
                fhirServer="https://ehr.example.org/fhir",
                fhirAuthorization={
                    "access_token": "t",
                    "token_type": "Bearer",
                    "expires_in": 1,
                    "scope": "patient/*.read",
                    "subject": "s",
                },
            ),
            "fhirAuthorization.patient",
        ),  # cds-r-2
        (lambda b: b.update(prefetch=[1]), "prefetch"),
        (lambda b: b.update(prefetch={"conditions": 7}), "prefetch.conditions"),
    ],
)
def test_bad_requests_get_400_naming_the_field(
    change: Any, field: str, client: ApiClient, ehr: Ehr
) -> None:
    body = hook_request(
        "patient-view", "p1", prefetch={"patient": {"resourceType": "Patient", "id": "p1"}}
    )
    change(body)
    response = _call(client, ehr, PV, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field


def test_a_draft_order_without_an_id_is_400(client: ApiClient, ehr: Ehr) -> None:
    order = service_request("x", "p1", "64483")
    del order["id"]
    body = hook_request("order-sign", "p1", orders=[order])
    response = _call(client, ehr, OSIGN, body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "context.draftOrders.entry[0].resource.id"


def test_a_body_over_the_size_limit_is_413_not_500(client: ApiClient, ehr: Ehr) -> None:
    response = _call(client, ehr, PV, b"{" + b" " * (6 * 1024 * 1024) + b"}")
    assert response.status_code == 413


def test_prefetch_without_the_patient_in_context_is_400(client: ApiClient, ehr: Ehr) -> None:
    prefetch = {key: None for key in TEMPLATES}
    response = _call(client, ehr, PV, hook_request("patient-view", "p1", prefetch=prefetch))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "prefetch.patient"


def test_unknown_service_is_404(client: ApiClient, ehr: Ehr) -> None:
    response = _call(client, ehr, "nope", hook_request("patient-view", "p1"))
    assert response.status_code == 404


# ---------------------------------------------------------------- the EHR's JWT


def test_hook_calls_need_a_jwt_from_a_registered_ehr(
    client: ApiClient, ehr: Ehr, world: World
) -> None:
    import jwt as pyjwt

    body = json.dumps(hook_request("patient-view", "p1")).encode()
    url = f"/cds-services/{PV}"
    aud = f"https://testserver{url}"
    stranger = Ehr()
    tokens = {
        "none": None,
        "wrong audience": ehr.token("https://testserver/cds-services/other"),
        "unknown issuer": ehr.token(aud, iss="https://other.example.org"),
        "other key": stranger.token(aud),
        "too long-lived": ehr.token(aud, lifetime=3600),
        "expired": ehr.token(aud, lifetime=-120),
        "shared secret": pyjwt.encode(
            {"iss": "https://ehr.example.org", "aud": aud, "exp": 9999999999, "iat": 1, "jti": "j"},
            "secret-secret-secret-secret-secret",
            algorithm="HS256",
        ),
    }
    for why, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.post(url, content=body, headers=headers)
        assert response.status_code == 401, why
        assert response.json()["error"]["code"] == "unauthenticated"
    assert [r.outcome for r in _audits(world, f"cds.{PV}")] == ["denied"] * len(tokens)


def test_an_unusable_clients_file_is_a_500_that_does_not_echo_it(
    app: FastAPI, client: ApiClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "secret-place" / "clients.json"
    bad.parent.mkdir()
    bad.write_text("{not json")
    monkeypatch.setenv("PAINPATH_CDS_CLIENTS", str(bad))
    response = client.post(f"/cds-services/{PV}", content=b"{}")
    assert response.status_code == 500
    assert "secret-place" not in response.text
    assert response.json()["error"]["message"] == "internal error"


# ---------------------------------------------------------------- feedback


def _feedback(client: ApiClient, ehr: Ehr, body: Any) -> Any:
    return client.post(
        f"/cds-services/{OSEL}/feedback", json=body, headers=ehr.headers(OSEL, feedback=True)
    )


def test_feedback_is_stored_and_audited(client: ApiClient, ehr: Ehr, world: World) -> None:
    patient, prefetch = _vignette_prefetch("axial-low-back-pain")
    order = service_request("sr-rfa", patient, "64635")
    cards = _ok(
        _call(
            client,
            ehr,
            OSEL,
            hook_request("order-select", patient, prefetch=prefetch, orders=[order]),
        )
    )
    reason = cards[0]["overrideReasons"][0]
    suggestion = next(c for c in cards if "suggestions" in c)
    body = {
        "feedback": [
            {
                "card": cards[-1]["uuid"],
                "outcome": "overridden",
                "overrideReason": {
                    "reason": reason,
                    "userComment": "documented at the outside clinic",
                },
                "outcomeTimestamp": "2026-06-01T08:05:00Z",
            },
            {
                "card": suggestion["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": suggestion["suggestions"][0]["uuid"]}],
                "outcomeTimestamp": "2026-06-01T08:06:00Z",
            },
        ]
    }
    response = _feedback(client, ehr, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 2}
    with world.session() as session:
        rows = session.scalars(select(CdsFeedback).order_by(CdsFeedback.id)).all()
        stored = [
            (
                r.card_uuid,
                r.outcome,
                r.reason_code,
                r.user_comment,
                r.service_id,
                r.client,
                r.accepted_suggestions,
            )
            for r in rows
        ]
    assert stored == [
        (
            cards[-1]["uuid"],
            "overridden",
            reason["code"],
            "documented at the outside clinic",
            OSEL,
            "https://ehr.example.org",
            {"ids": []},
        ),
        (
            suggestion["uuid"],
            "accepted",
            None,
            None,
            OSEL,
            "https://ehr.example.org",
            {"ids": [suggestion["suggestions"][0]["uuid"]]},
        ),
    ]
    audits = _audits(world, "cds.feedback")
    assert [(a.action, a.outcome, a.role) for a in audits] == [
        ("create", "allowed", "cds-client")
    ] * 2


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"outcome": "accepted"}, "feedback[0]"),  # cds-fb-2: accepted names suggestions
        ({"outcome": "overridden", "overrideReason": {}}, "feedback[0].overrideReason"),  # cds-fb-3
        ({"outcome": "ignored"}, "feedback[0].outcome"),
        ({"outcome": "overridden", "card": "not-a-uuid"}, "feedback[0].card"),
        (
            {"outcome": "overridden", "outcomeTimestamp": "yesterday"},
            "feedback[0].outcomeTimestamp",
        ),
    ],
)
def test_bad_feedback_is_400_and_nothing_is_stored(
    entry: dict[str, Any], field: str, client: ApiClient, ehr: Ehr, world: World
) -> None:
    good = {
        "card": "5f1d7d64-1a8f-4a4e-9a7b-0c2f7c1d9e10",
        "outcomeTimestamp": "2026-06-01T08:05:00Z",
    }
    body = {"feedback": [{**good, "outcome": "overridden"}, {**good, **entry}]}
    body["feedback"] = [body["feedback"][1]]
    response = _feedback(client, ehr, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field
    with world.session() as session:
        assert session.scalars(select(CdsFeedback)).all() == []


def test_malformed_feedback_json_is_400(client: ApiClient, ehr: Ehr) -> None:
    response = client.post(
        f"/cds-services/{OSEL}/feedback",
        content=b'{"feedback": [}',
        headers=ehr.headers(OSEL, feedback=True),
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
