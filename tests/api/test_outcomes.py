"""Outcomes through the API: the diary, outcome exports, charts, documents, the dashboard."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pyarrow.parquet as pq

from clinic._world import World

from ._client import ApiClient


def _block(client: ApiClient, world: World, cpt: str = "64493") -> str:
    performed = (world.clock() - timedelta(hours=6)).isoformat()
    response = client.post(
        "/patients/pt-own/procedures",
        json={"cpt": cpt, "performed": performed},
        headers=world.headers("clinician"),
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def test_the_patient_records_a_diary_and_reads_its_curve(client: ApiClient, world: World) -> None:
    proc = _block(client, world)
    entries = [{"minutes": 30, "nrs": 5}, {"minutes": 120, "nrs": 2}, {"minutes": 240, "nrs": 4}]
    response = client.post(
        f"/patients/pt-own/procedures/{proc}/diary",
        json={"baseline": 8, "entries": entries},
        headers=world.headers("patient"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["response"]["peak_percent"] == 75.0
    assert response.json()["response"]["result"] == "negative"  # facet block: below 80%
    chart = client.get(
        "/patients/pt-own/charts/block-response.svg",
        params={"procedure": proc},
        headers=world.headers("patient"),
    )
    assert chart.status_code == 200
    assert chart.headers["content-type"] == "image/svg+xml"
    assert b"Minutes after the block" in chart.content and b"Positive at 80%" in chart.content


def test_a_diary_without_baseline_is_400_in_the_error_shape(
    client: ApiClient, world: World
) -> None:
    proc = _block(client, world)
    response = client.post(
        f"/patients/pt-own/procedures/{proc}/diary",
        json={"entries": [{"minutes": 60, "nrs": 2}]},
        headers=world.headers("patient"),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "baseline"
    assert "No baseline pain score" in error["message"]


def test_outcomes_are_computed_and_exported_as_csv_and_parquet(
    client: ApiClient, world: World
) -> None:
    proc = _block(client, world, "64483")
    headers = world.headers("clinician")
    made = client.post(
        "/patients/pt-own/outcomes", json={"index": proc, "as_of": "2026-06-01"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["report"]["version"] == 1
    csv = client.get("/patients/pt-own/outcomes", params={"format": "csv"}, headers=headers)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("patient_id,index_procedure,procedure")
    parquet = client.get("/patients/pt-own/outcomes", params={"format": "parquet"}, headers=headers)
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.column("status").to_pylist() == ["not-due"] * 5


def test_a_complication_recorded_on_the_day_is_counted_in_the_outcomes(
    client: ApiClient, world: World
) -> None:
    proc = _block(client, world, "64483")
    headers = world.headers("clinician")
    made = client.post(
        f"/patients/pt-own/procedures/{proc}/complication",
        json={"complication": True},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["valueBoolean"] is True
    again = client.post(
        f"/patients/pt-own/procedures/{proc}/complication",
        json={"complication": True},
        headers=headers,
    )
    assert again.status_code == 201
    outcomes = client.post("/patients/pt-own/outcomes", json={"index": proc}, headers=headers)
    assert outcomes.json()["complications"] == [f"Observation/{again.json()['id']}"]


def test_a_generated_document_is_listed_with_the_patients_documents(
    client: ApiClient, world: World
) -> None:
    headers = world.headers("coordinator")
    made = client.post(
        "/patients/pt-own/documents/generate", json={"kind": "care-plan"}, headers=headers
    )
    assert made.status_code == 201, made.text
    listed = client.get("/patients/pt-own/documents", headers=headers).json()["items"]
    assert [d["title"] for d in listed] == ["Care plan"]
    pdf = client.get(f"/documents/{made.json()['id']}", headers=headers)
    assert pdf.content.startswith(b"%PDF")


def _one_episode_and_the_dashboard(client: ApiClient, world: World) -> tuple[str, str]:
    """Open an episode in clinic A; (the admin's dashboard page, its funnel chart's link)."""
    client.post(
        "/patients/pt-own/episodes",
        json={"payload": {"source": "self-referral", "reason": "back pain"}},
        headers=world.headers("clinician"),
    )
    page = client.get("/dashboard", headers=world.headers("admin"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "img-src 'self'" in page.headers["content-security-policy"]
    link = re.search(r'<img src="(/dashboard/charts/funnel\.svg\?v=[0-9a-f]{64})"', page.text)
    assert link is not None
    return page.text, link.group(1)


def test_the_dashboard_page_shows_the_figures_and_links_the_charts(
    client: ApiClient, world: World
) -> None:
    page, link = _one_episode_and_the_dashboard(client, world)
    assert "1 episodes" in page
    assert "<td>Referred</td><td>1</td>" in page
    chart = client.get(link, headers=world.headers("clinician"))
    assert chart.status_code == 200 and b"1 (100%)" in chart.content
    data = client.get("/dashboard/data", headers=world.headers("clinician")).json()
    assert data["funnel"][0] == {"stage": "referred", "label": "Referred", "episodes": 1}


def test_another_clinics_chart_key_gives_the_callers_own_chart(
    client: ApiClient, world: World
) -> None:
    _, link = _one_episode_and_the_dashboard(client, world)
    own = client.get(link, headers=world.headers("clinician")).content
    other = client.get(link, headers=world.headers("clinician-b")).content
    assert b"1 (100%)" in own and b"1 (100%)" not in other and b"0 (" in other


def test_a_chart_key_that_is_not_a_digest_is_422(client: ApiClient, world: World) -> None:
    response = client.get("/dashboard/charts/funnel.svg?v=x'", headers=world.headers("admin"))
    assert response.status_code == 422


def test_an_unknown_dashboard_chart_is_400(client: ApiClient, world: World) -> None:
    response = client.get("/dashboard/charts/pie.svg", headers=world.headers("clinician"))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "name"
