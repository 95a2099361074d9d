"""Adding to the record through the API: scores, relief, procedures, answers, documents."""

from __future__ import annotations

from datetime import timedelta

from clinic._world import Clock, World

from ._client import ApiClient

INTAKE = "https://painpath.dev/fhir/Questionnaire/intake"


def test_a_pain_score_is_stored_as_an_nrs_observation_the_engine_reads(
    client: ApiClient, world: World
) -> None:
    headers = world.headers("patient")
    response = client.post(
        "/patients/pt-own/observations", json={"kind": "nrs", "value": 7}, headers=headers
    )
    assert response.status_code == 201
    observation = response.json()
    assert observation["code"]["coding"][0]["code"] == "72514-3"
    assert observation["subject"] == {"reference": "Patient/pt-own"}
    listed = client.get(
        "/patients/pt-own/observations", params={"code": "72514-3"}, headers=headers
    ).json()
    assert [o["id"] for o in listed["items"]] == [observation["id"]]
    document = client.get("/patients/pt-own/assessment", headers=headers).json()
    assert document["pain"]["latest_nrs"] == 7


def test_an_out_of_range_score_is_400_with_the_readers_rule(
    client: ApiClient, world: World
) -> None:
    response = client.post(
        "/patients/pt-own/observations",
        json={"kind": "nrs", "value": 11},
        headers=world.headers("clinician"),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "0 to 10" in error["message"] and error["field"].endswith("valueInteger")
    assert (
        client.get("/patients/pt-own/observations", headers=world.headers("clinician")).json()[
            "total"
        ]
        == 0
    )


def test_percent_relief_needs_a_stored_procedure(
    client: ApiClient, world: World, clock: Clock
) -> None:
    headers = world.headers("clinician")
    orphan = client.post(
        "/patients/pt-own/observations",
        headers=headers,
        json={"kind": "percent-relief", "value": 80},
    )
    assert orphan.status_code == 400 and orphan.json()["error"]["field"] == "part_of"
    procedure = client.post(
        "/patients/pt-own/procedures",
        headers=headers,
        json={"cpt": "64483", "performed": (clock() - timedelta(days=1)).isoformat()},
    ).json()
    assert procedure["code"]["coding"][0]["system"] == "http://www.ama-assn.org/go/cpt"
    relief = client.post(
        "/patients/pt-own/observations",
        headers=headers,
        json={"kind": "percent-relief", "value": 80, "part_of": procedure["id"]},
    )
    assert relief.status_code == 201
    assert relief.json()["partOf"] == [{"reference": f"Procedure/{procedure['id']}"}]


def test_a_procedure_needs_a_cpt_code_and_a_past_time(
    client: ApiClient, world: World, clock: Clock
) -> None:
    headers = world.headers("clinician")
    bad = client.post(
        "/patients/pt-own/procedures",
        headers=headers,
        json={"cpt": "epidural", "performed": clock().isoformat()},
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "cpt"
    future = client.post(
        "/patients/pt-own/procedures",
        headers=headers,
        json={"cpt": "64483", "performed": (clock() + timedelta(days=2)).isoformat()},
    )
    assert future.status_code == 400 and future.json()["error"]["field"] == "performed"
    naive = client.post(
        "/patients/pt-own/procedures",
        headers=headers,
        json={"cpt": "64483", "performed": "2026-05-01T10:00:00"},
    )
    assert naive.status_code == 422


def test_intake_answers_are_stored_and_checked_item_by_item(
    client: ApiClient, world: World
) -> None:
    headers = world.headers("patient")
    answers = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": INTAKE,
        "item": [
            {
                "linkId": "readiness",
                "item": [{"linkId": "readiness-1", "answer": [{"valueBoolean": True}]}],
            }
        ],
    }
    stored = client.post("/patients/pt-own/questionnaire-responses", json=answers, headers=headers)
    assert stored.status_code == 201
    assert stored.json()["subject"] == {"reference": "Patient/pt-own"}
    unknown = {
        **answers,
        "item": [{"linkId": "favourite-colour", "answer": [{"valueString": "red"}]}],
    }
    refused = client.post("/patients/pt-own/questionnaire-responses", json=unknown, headers=headers)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "item[0].linkId"
    wrong_type = {**answers, "item": [{"linkId": "nrs", "answer": [{"valueString": "seven"}]}]}
    refused = client.post(
        "/patients/pt-own/questionnaire-responses", json=wrong_type, headers=headers
    )
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "item[0].answer[0]"
    other = {**answers, "questionnaire": "https://example.org/Questionnaire/x"}
    refused = client.post("/patients/pt-own/questionnaire-responses", json=other, headers=headers)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "questionnaire"


def test_a_document_is_stored_listed_and_downloaded_as_an_attachment(
    client: ApiClient, world: World
) -> None:
    headers = world.headers("clinician")
    uploaded = client.post(
        "/patients/pt-own/documents",
        headers=headers,
        files={"file": ("letter.pdf", b"%PDF-1.4 letter", "application/pdf")},
        data={"title": "Referral letter"},
    )
    assert uploaded.status_code == 201
    meta = uploaded.json()
    assert (meta["title"], meta["size"], meta["content_type"]) == (
        "Referral letter",
        15,
        "application/pdf",
    )
    listed = client.get("/patients/pt-own/documents", headers=headers).json()
    assert [d["id"] for d in listed["items"]] == [meta["id"]] and listed["items"][0]["size"] == 15
    download = client.get(f"/documents/{meta['id']}", headers=world.headers("patient"))
    assert download.content == b"%PDF-1.4 letter"
    assert download.headers["content-type"] == "application/pdf"
    disposition = download.headers["content-disposition"]
    assert disposition == f'attachment; filename="document-{meta["id"]}.pdf"'


def test_active_content_is_not_accepted_as_a_document(client: ApiClient, world: World) -> None:
    response = client.post(
        "/patients/pt-own/documents",
        headers=world.headers("clinician"),
        files={"file": ("x.html", b"<script>", "text/html")},
        data={"title": "Page"},
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "content_type"
