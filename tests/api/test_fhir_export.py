"""`GET /fhir/Patient/{id}/$everything`: the patient's export through the real app."""

from __future__ import annotations

from clinic._world import World, vignette
from interop._fhir_r4 import r4_problems

from ._client import ApiClient


def test_a_clinician_gets_the_export_as_valid_r4(client: ApiClient, world: World) -> None:
    headers = world.headers("clinician")
    imported = client.post("/fhir/Bundle", json=vignette("warfarin-esi"), headers=headers)
    assert imported.status_code == 201
    patient = imported.json()["patient_id"]
    response = client.get(f"/fhir/Patient/{patient}/$everything", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    bundle = response.json()
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Condition", "MedicationRequest", "AuditEvent"} <= kinds
    assert [p for e in bundle["entry"] for p in r4_problems(e["resource"])] == []
    audits = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "AuditEvent"
    ]
    assert any(a["subtype"][0]["code"] == "fhir.import" for a in audits)


def test_an_unknown_patient_is_404(client: ApiClient, world: World) -> None:
    response = client.get("/fhir/Patient/nobody/$everything", headers=world.headers("clinician"))
    assert response.status_code == 404
