"""`POST /fhir/Bundle`: all or nothing, replaces on re-import, reads back like the original."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import painpath
from clinic._world import World, patient_bundle, vignette
from painpath.clinic import _fhirstore
from painpath.store import FhirResource, Patient

from ._client import ApiClient

VIGNETTES = sorted(
    p.name.removesuffix(".bundle.json")
    for p in (Path(__file__).resolve().parents[3] / "shared" / "vignettes").glob("*.bundle.json")
)


def _rows(world: World, patient_id: str) -> tuple[int, int]:
    with world.session() as session:
        patients = session.scalar(select(func.count()).where(Patient.id == patient_id))
        resources = session.scalar(
            select(func.count()).where(FhirResource.patient_id == patient_id)
        )
    return int(patients or 0), int(resources or 0)


def test_a_bad_bundle_is_400_with_the_readers_message_and_nothing_is_stored(
    client: ApiClient, world: World
) -> None:
    bundle = vignette("radicular-ready")
    bundle["entry"][3]["resource"]["subject"] = {"reference": "Patient/someone-else"}
    response = client.post("/fhir/Bundle", json=bundle, headers=world.headers("clinician"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid-fhir"
    assert error["field"] == "MedicationStatement/medicationstatement-3 subject.reference"
    assert "another Patient" in error["message"]
    assert _rows(world, "pt-radicular-ready") == (0, 0)


def test_an_import_failing_half_way_leaves_no_rows(
    client: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _fhirstore.replace_imported

    def write_then_fail(session: Any, *args: Any, **kwargs: Any) -> None:
        real(session, *args, **kwargs)
        session.flush()  # the rows are in the database's transaction now
        raise RuntimeError("disk full")

    monkeypatch.setattr("painpath.clinic._patients.replace_imported", write_then_fail)
    response = client.post(
        "/fhir/Bundle", json=vignette("radicular-ready"), headers=world.headers("clinician")
    )
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal", "message": "internal error", "field": None}
    }
    assert _rows(world, "pt-radicular-ready") == (0, 0)


def test_a_failed_re_import_keeps_the_previous_record_whole(
    client: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = world.headers("clinician")
    assert (
        client.post("/fhir/Bundle", json=vignette("radicular-ready"), headers=headers).status_code
        == 201
    )
    before = _rows(world, "pt-radicular-ready")

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("crash")

    monkeypatch.setattr("painpath.clinic._patients.validate_stored", fail)
    response = client.post(
        "/fhir/Bundle", json=patient_bundle("pt-radicular-ready"), headers=headers
    )
    assert response.status_code == 500
    assert _rows(world, "pt-radicular-ready") == before


def test_re_importing_a_patient_replaces_the_imported_resources(
    client: ApiClient, world: World
) -> None:
    headers = world.headers("clinician")
    client.post("/fhir/Bundle", json=vignette("radicular-ready"), headers=headers)
    again = client.post("/fhir/Bundle", json=patient_bundle("pt-radicular-ready"), headers=headers)
    assert again.status_code == 201
    assert _rows(world, "pt-radicular-ready") == (1, 1)
    shown = client.get("/patients/pt-radicular-ready", headers=headers).json()
    assert shown["display_name"] == "Ann Doe"


def test_a_patient_of_another_clinic_cannot_be_overwritten(client: ApiClient, world: World) -> None:
    response = client.post(
        "/fhir/Bundle", json=patient_bundle("pt-elsewhere"), headers=world.headers("clinician")
    )
    assert response.status_code == 403
    assert _rows(world, "pt-elsewhere") == (1, 1)


def test_every_stored_vignette_assesses_like_the_original_bundle(
    client: ApiClient, world: World
) -> None:
    headers = world.headers("clinician")
    day = world.clock().date()
    for name in VIGNETTES:
        bundle = vignette(name)
        pid = client.post("/fhir/Bundle", json=bundle, headers=headers).json()["patient_id"]
        stored = client.get(f"/patients/{pid}/fhir", headers=headers)
        assert stored.headers["content-type"].startswith("application/fhir+json")
        expected = painpath.assess(bundle, as_of=day)
        assert painpath.assess(stored.json(), as_of=day) == expected, name
        served = client.get(f"/patients/{pid}/assessment", headers=headers).json()
        assert served == expected, name
