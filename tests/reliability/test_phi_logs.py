"""PHI never in logs: a full run of the demo clinic, then every log line is searched for the
demo patients' names, birth dates, identifiers, phone numbers and addresses.

`painpath demo` loads the clinic; `painpath serve` (a real process, its log captured) then
serves a session of every kind of request, as staff and as a demo patient: searches by
name, every patient's record, FHIR export and assessment, episodes and their events, an
import, records written, and failures (bad input naming a patient, unknown ids, refused
access, wrong passwords). The server log and the demo's stderr must hold none of the PHI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from clinic._world import VIGNETTES, vignette
from painpath.demo import DEMO_PASSWORD
from painpath.store import FhirResource, Patient

from ._server import Server

SHARED = VIGNETTES.parent


def _phi(db: Path) -> set[str]:
    """Names (each part of 4+ letters), birth dates, identifiers, phones, address lines."""
    engine = create_engine(f"sqlite:///{db}")
    found: set[str] = set()
    try:
        with Session(engine) as session:
            for patient in session.scalars(select(Patient)):
                found.update(w for w in re.split(r"\W+", patient.display_name or "") if len(w) >= 4)
                if patient.birth_date:
                    found.add(patient.birth_date.isoformat())
            query = select(FhirResource.resource).where(FhirResource.resource_type == "Patient")
            for resource in session.scalars(query):
                found.update(_resource_phi(resource))
    finally:
        engine.dispose()
    return {term for term in found if len(term) >= 4}


def _resource_phi(resource: dict[str, Any]) -> set[str]:
    found = set()
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("value"):
            found.add(str(ident["value"]))
    for telecom in resource.get("telecom") or []:
        if isinstance(telecom, dict) and telecom.get("value"):
            found.add(str(telecom["value"]))
    for address in resource.get("address") or []:
        if isinstance(address, dict):
            found.update(str(line) for line in address.get("line") or [])
    for name in resource.get("name") or []:
        if isinstance(name, dict):
            found.update(str(n) for n in [name.get("family"), *(name.get("given") or [])] if n)
    return found


def _session(base: str, logins: list[str]) -> None:
    """Every kind of request the service answers, as staff and as a patient."""
    with httpx.Client(base_url=base, timeout=60) as http:

        def sign_in(email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
            token = http.post("/auth/token", data={"username": email, "password": password})
            if token.status_code != 200:
                return {}
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        staff = sign_in("clinician@demo.example")
        assert staff, "the demo clinician cannot sign in"
        patients = http.get("/patients", params={"limit": 100}, headers=staff).json()["items"]
        assert patients
        for patient in patients:
            pid = patient["id"]
            http.get("/patients", params={"name": patient["display_name"]}, headers=staff)
            for tail in ("", "/fhir", "/assessments", "/episodes", "/observations", "/documents"):
                http.get(f"/patients/{pid}{tail}", headers=staff)
            http.get(f"/patients/{pid}/assessment", params={"as_of": "2026-06-01"}, headers=staff)
            for episode in http.get(f"/patients/{pid}/episodes", headers=staff).json()["items"]:
                http.get(f"/episodes/{episode['id']}/events", headers=staff)
        own = patients[0]["id"]
        http.post(f"/patients/{own}/observations", json={"kind": "nrs", "value": 4}, headers=staff)
        http.post(f"/patients/{own}/observations", json={"kind": "nrs", "value": 99}, headers=staff)
        bundle = vignette("radicular-ready")
        http.post("/fhir/Bundle", json=bundle, headers=staff)
        broken = patients[0]["display_name"]
        bad = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
            "resourceType": "Patient", "id": own, "birthDate": broken, "name": [{"text": broken}]
        }}]}  # fmt: skip
        http.post("/fhir/Bundle", json=bad, headers=staff)
        http.get(f"/patients/{broken.replace(' ', '-')}", headers=staff)
        admin = sign_in("admin@demo.example")
        http.get("/audit", params={"limit": 200}, headers=admin)
        for email in logins:
            sign_in(email, "a wrong password!")
            mine = sign_in(email)
            for patient in patients[:3]:
                http.get(f"/patients/{patient['id']}", headers=mine)
        http.get(f"/patients/{own}")  # no sign-in at all


def test_a_full_demo_run_writes_no_phi_to_any_log(tmp_path: Path) -> None:
    home = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAINPATH_")}
    env.update(PAINPATH_HOME=str(home), PAINPATH_SHARED=str(SHARED))
    demo = subprocess.run(
        [sys.executable, "-m", "painpath", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    logins = re.findall(r"[\w.+-]+@demo\.example", demo.stdout)
    patient_logins = [e for e in set(logins) if not e.startswith(("clinician", "admin", "coord"))]
    assert patient_logins, demo.stdout
    db = home / "painpath.db"
    server = Server(f"sqlite:///{db}", tmp_path / "serve.log")
    server.start()
    try:
        _session(server.base, patient_logins)
    finally:
        server.stop()
    log = server.log.read_text() + demo.stderr
    assert log.count("\n") > 100  # the run was logged (one access line per request at least)
    terms = _phi(db)
    assert len(terms) > 20
    leaked = sorted(term for term in terms if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", log))
    assert not leaked, f"PHI in the logs: {leaked[:10]}"
