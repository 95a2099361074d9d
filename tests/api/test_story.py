"""The main story, through the real HTTP app: a clinician takes a patient from referral to the
decision after follow-up, and sees the assessment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from clinic._world import PASSWORD, Clock, World, vignette

from ._client import ApiClient


def test_clinician_takes_an_imported_patient_from_referral_to_decision(
    client: ApiClient, world: World, clock: Clock
) -> None:
    login = client.post(
        "/auth/token", data={"username": "clinician@example.org", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    assert login.json()["token_type"] == "bearer"
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

    imported = client.post("/fhir/Bundle", json=vignette("radicular-ready"), headers=auth)
    assert imported.status_code == 201, imported.text
    pid = imported.json()["patient_id"]
    assert pid == "pt-radicular-ready"

    opened = client.post(
        f"/patients/{pid}/episodes",
        json={"payload": {"source": "referral", "reason": "Leg pain for 8 months"}},
        headers=auth,
    )
    assert opened.status_code == 201, opened.text
    episode: dict[str, Any] = opened.json()
    assert episode["state"] == "referred"

    def move(event: str, payload: dict[str, Any]) -> dict[str, Any]:
        nonlocal episode
        response = client.post(
            f"/episodes/{episode['id']}/transitions",
            json={"event": event, "payload": payload, "version": episode["version"]},
            headers=auth,
        )
        assert response.status_code == 200, (event, response.text)
        episode = response.json()
        moved: dict[str, Any] = episode
        return moved

    move(
        "consult",
        {
            "history": "L5 radicular pain",
            "previous_treatments": "PT 8 weeks",
            "symptoms": "Leg pain",
            "exam": "Positive straight leg raise",
        },
    )
    assessed = move("assess", {"as_of": "2026-06-01"})
    assert assessed["state"] == "assessed"
    assert assessed["data"]["assessment"]["status"] == "refer-interventional"
    move(
        "plan",
        {
            "procedures": ["esi-transforaminal-lumbar"],
            "benefits_discussed": True,
            "risks_discussed": True,
            "alternatives_discussed": True,
        },
    )
    start = clock() + timedelta(hours=2)
    move("schedule", {"procedure_id": "esi-transforaminal-lumbar", "start": start.isoformat()})
    clock.advance(hours=2)
    move("check-in", {})
    steps: list[tuple[str, int, dict[str, Any]]] = [
        ("arrival", 0, {}),
        ("gown", 5, {}),
        ("site-prepared", 20, {}),
        ("procedure", 25, {}),
        ("recovery", 40, {"vitals": "BP 120/80", "nrs": 2}),
        ("discharge", 80, {"aftercare": "Rest today; call if weakness"}),
    ]
    for step, minutes, details in steps:
        move(
            "record-step",
            {"step": step, "at": (start + timedelta(minutes=minutes)).isoformat(), **details},
        )
    clock.advance(hours=2)
    move("complete-procedure-day", {})
    move(
        "record-visit",
        {"visit_date": "2026-06-01", "response": "improved", "relief_percent": 70, "nrs": 2},
    )
    decided = move("review", {"summary": "Good response"})
    assert decided["state"] == "decision"
    assert {e["name"] for e in decided["next_events"]} >= {"repeat", "discharge"}

    history = client.get(f"/episodes/{episode['id']}/events", headers=auth).json()
    assert [e["to_state"] for e in history["items"]][:3] == ["referred", "consultation", "assessed"]
    assert history["total"] == 15  # the referral, 5 moves, 6 checklist steps, 3 more

    shown = client.get(f"/patients/{pid}/assessment", params={"as_of": "2026-06-01"}, headers=auth)
    assert shown.status_code == 200
    document = shown.json()
    assert document["schema"] == "painpath.assessment/v1"
    assert document["status"] == "refer-interventional"
    stored = client.get(f"/patients/{pid}/assessments", headers=auth).json()
    assert stored["total"] == 2
    assert client.get(f"/patients/{pid}", headers=auth).json()["episode_states"] == ["decision"]
