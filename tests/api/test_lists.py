"""Lists: pages with total and next offset, filters, whitelisted sorting."""

from __future__ import annotations

from clinic._world import World, patient_bundle

from ._client import ApiClient


def _import(client: ApiClient, world: World, count: int) -> None:
    headers = world.headers("clinician")
    for n in range(count):
        bundle = patient_bundle(f"pt-list-{n:02d}", family=f"Family{n:02d}")
        assert client.post("/fhir/Bundle", json=bundle, headers=headers).status_code == 201


def test_patients_come_in_pages_that_cover_the_list_once(client: ApiClient, world: World) -> None:
    _import(client, world, 5)
    headers = world.headers("clinician")
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = client.get(
            "/patients", params={"limit": 3, "offset": offset}, headers=headers
        ).json()
        assert page["total"] == 7  # pt-own, pt-other and the five imported
        seen += [p["id"] for p in page["items"]]
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == 7
    assert "pt-elsewhere" not in seen  # another clinic's patient


def test_patients_filter_by_name_and_sort_descending(client: ApiClient, world: World) -> None:
    _import(client, world, 3)
    headers = world.headers("clinician")
    found = client.get("/patients", params={"name": "family0", "sort": "-name"}, headers=headers)
    assert [p["id"] for p in found.json()["items"]] == ["pt-list-02", "pt-list-01", "pt-list-00"]


def test_patients_filter_by_pathway_state(client: ApiClient, world: World) -> None:
    headers = world.headers("clinician")
    body = {"payload": {"source": "referral", "reason": "r"}}
    client.post("/patients/pt-other/episodes", json=body, headers=headers)
    found = client.get("/patients", params={"state": "referred"}, headers=headers).json()
    assert [(p["id"], p["episode_states"]) for p in found["items"]] == [("pt-other", ["referred"])]


def test_patients_filter_by_latest_assessment_status(client: ApiClient, world: World) -> None:
    headers = world.headers("clinician")
    client.get("/patients/pt-own/assessment", headers=headers)
    found = client.get("/patients", params={"status": "not-indicated"}, headers=headers).json()
    assert [p["id"] for p in found["items"]] == ["pt-own"]
    assert found["items"][0]["latest_status"] == "not-indicated"


def test_an_unknown_sort_field_is_refused_with_the_allowed_ones(
    client: ApiClient, world: World
) -> None:
    response = client.get(
        "/patients", params={"sort": "display_name; drop"}, headers=world.headers("clinician")
    )
    assert response.status_code == 400
    assert "birth_date" in response.json()["error"]["message"]


def test_a_page_size_over_the_maximum_is_refused(client: ApiClient, world: World) -> None:
    response = client.get("/patients", params={"limit": 1000}, headers=world.headers("clinician"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "query.limit"


def test_episodes_filter_by_state(client: ApiClient, world: World) -> None:
    headers = world.headers("clinician")
    body = {"payload": {"source": "referral", "reason": "r"}}
    first = client.post("/patients/pt-own/episodes", json=body, headers=headers).json()
    client.post("/patients/pt-own/episodes", json=body, headers=headers)
    client.post(
        f"/episodes/{first['id']}/transitions",
        headers=headers,
        json={"event": "cancel", "payload": {"reason": "dup"}, "version": first["version"]},
    )
    listed = client.get("/patients/pt-own/episodes", params={"state": "cancelled"}, headers=headers)
    assert [e["id"] for e in listed.json()["items"]] == [first["id"]]


def test_the_audit_log_filters_by_patient(client: ApiClient, world: World) -> None:
    client.get("/patients/pt-own", headers=world.headers("clinician"))
    client.get("/patients/pt-other", headers=world.headers("patient"))
    page = client.get("/audit", params={"patient_id": "pt-other"}, headers=world.headers("admin"))
    rows = page.json()["items"]
    assert rows and all(r["patient_id"] == "pt-other" for r in rows)
    assert any(r["outcome"] == "denied" and r["role"] == "patient" for r in rows)
