"""The pages over HTTP (no browser): who sees what, CSRF, bad input, nothing half-saved.

Runs on SQLite and, when configured, PostgreSQL (the `db_engine` fixture)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from api._client import ApiClient
from clinic._world import FAST, PASSWORD, Clock, World, make_world, vignette
from painpath.clinic import import_bundle, open_episode
from painpath.knowledge import load_knowledge
from painpath.store import Assessment, Episode, EpisodeEvent, FhirResource, Patient
from painpath.web import create_app
from painpath.web._render import CSP

SCREEN = sorted({i for flag in load_knowledge().red_flags.values() for i in flag.screen_items})


@pytest.fixture
def world(db_engine: Engine) -> World:
    return make_world(db_engine, Clock())


@pytest.fixture
def client(world: World) -> Iterator[ApiClient]:
    c = ApiClient(create_app(world.engine, clock=world.clock, hasher=FAST))
    yield c
    c.close()


def sign_in(client: ApiClient, who: str) -> None:
    r = client.post("/signin", data={"email": f"{who}@example.org", "password": PASSWORD})
    assert r.status_code == 303, r.text


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF field on the page"
    return found.group(1)


def counts(world: World) -> dict[str, int]:
    with world.session() as s:
        return {
            m.__name__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Patient, FhirResource, Assessment, Episode, EpisodeEvent)
        }


def _episode(world: World, *, imported: bool = True) -> int:
    with world.session() as s:
        clinician = world.principals["clinician"]
        if imported:
            bundle = vignette("radicular-ready")
            pid = import_bundle(s, clinician, bundle, now=world.clock())
        else:
            pid = "pt-other"
        payload: dict[str, Any] = {"source": "referral", "reason": "Leg pain"}
        return int(open_episode(s, clinician, pid, payload, now=world.clock())["id"])


@pytest.mark.parametrize(
    "path", ["/", "/procedures", "/procedures/esi-caudal", "/self-assessment", "/signin"]
)
def test_public_pages_need_no_sign_in_and_carry_the_page_policy(
    client: ApiClient, path: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert '<html lang="en">' in r.text and 'name="viewport"' in r.text


def test_unknown_procedure_is_a_404_page(client: ApiClient) -> None:
    r = client.get("/procedures/no-such-thing")
    assert r.status_code == 404 and "Not found" in r.text


def test_self_assessment_stores_nothing(client: ApiClient, world: World) -> None:
    before, audit = counts(world), world.audit_count()
    form = {k: "no" for k in SCREEN} | {"rf-fever": "yes", "nrs": "6"}
    r = client.post("/self-assessment", data=form)
    assert r.status_code == 200 and "Get medical care today." in r.text
    assert counts(world) == before and world.audit_count() == audit


def test_self_assessment_keeps_answers_and_marks_each_error(client: ApiClient) -> None:
    r = client.post("/self-assessment", data={"rf-fever": "no", "nrs": "12", "goals": "walk <far>"})
    assert r.status_code == 422
    assert 'id="nrs-error"' in r.text and 'id="rf-bladder-bowel-error"' in r.text
    assert 'name="rf-fever" value="no" checked' in r.text
    assert "walk &lt;far&gt;" in r.text  # kept, and escaped


def test_sign_in_failure_keeps_the_email_and_says_why(client: ApiClient) -> None:
    r = client.post("/signin", data={"email": "clinician@example.org", "password": "nope"})
    assert r.status_code == 401
    assert 'value="clinician@example.org"' in r.text and "not right" in r.text
    assert "painpath_session" not in r.headers.get("set-cookie", "")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "clinic"])
def test_sign_in_never_redirects_off_site(client: ApiClient, target: str) -> None:
    r = client.post(
        "/signin",
        data={"email": "clinician@example.org", "password": PASSWORD, "next": target},
    )
    assert r.status_code == 303 and r.headers["location"] == "/clinic"


def test_sign_out_needs_the_token_and_ends_the_session(client: ApiClient) -> None:
    sign_in(client, "patient")
    page = client.get("/portal/pt-own")
    assert client.post("/signout", data={}).status_code == 403
    r = client.post("/signout", data={"csrf_token": csrf(page)})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/portal/pt-own").status_code == 303  # asked to sign in again


def test_signed_out_staff_pages_ask_to_sign_in(client: ApiClient) -> None:
    r = client.get("/clinic")
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/clinic"


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("patient", "/portal/pt-own", 200),
        ("patient", "/portal/pt-other", 403),
        ("patient", "/portal/pt-other/diary", 403),
        ("patient", "/clinic", 403),
        ("patient", "/clinic/patients/pt-other", 403),
        ("clinician", "/clinic", 200),
        ("clinician", "/clinic/patients/pt-other", 200),
        ("clinician", "/clinic/patients/pt-elsewhere", 403),
        ("coordinator", "/clinic", 200),
        ("admin", "/clinic", 403),
        ("admin", "/portal/pt-own", 403),
    ],
)
def test_each_role_sees_only_its_pages(client: ApiClient, who: str, path: str, status: int) -> None:
    sign_in(client, who)
    r = client.get(path)
    assert r.status_code == status, r.text[:500]
    if status == 403:
        assert "You cannot open this page" in r.text
        assert "Ann Other" not in r.text and "Ann Elsewhere" not in r.text


def test_worklist_filters_by_name_and_stage(client: ApiClient, world: World) -> None:
    _episode(world, imported=False)
    sign_in(client, "clinician")
    r = client.get("/clinic", params={"stage": "referred"})
    assert "Ann Other" in r.text and "Ann Own" not in r.text and "1 patient " in r.text
    r = client.get("/clinic", params={"name": "own"})
    assert "Ann Own" in r.text and "Ann Other" not in r.text


def test_coordinator_is_offered_only_the_events_of_the_front_desk(
    client: ApiClient, world: World
) -> None:
    episode = _episode(world, imported=False)
    sign_in(client, "coordinator")
    r = client.get(f"/clinic/episodes/{episode}")
    assert r.status_code == 200
    assert "Cancel the episode" in r.text and "Record the consultation" not in r.text


def test_a_refused_event_saves_nothing_and_keeps_the_form(client: ApiClient, world: World) -> None:
    episode = _episode(world, imported=False)
    sign_in(client, "clinician")
    token = csrf(client.get(f"/clinic/episodes/{episode}"))
    before = counts(world)
    form = {
        "csrf_token": token,
        "version": "1",
        "history": "Two years <of> pain",
        "symptoms": "ache",
    }
    r = client.post(f"/clinic/episodes/{episode}/events/consult", data=form)
    assert r.status_code == 422
    assert 'id="consult-exam-error"' in r.text and "Nothing was saved" in r.text
    assert "Two years &lt;of&gt; pain" in r.text
    assert counts(world) == before


def test_a_stale_version_is_a_conflict_with_nothing_saved(client: ApiClient, world: World) -> None:
    episode = _episode(world, imported=False)
    sign_in(client, "clinician")
    token = csrf(client.get(f"/clinic/episodes/{episode}"))
    before = counts(world)
    form = {"csrf_token": token, "version": "7", "reason": "moved away"}
    r = client.post(f"/clinic/episodes/{episode}/events/cancel", data=form)
    assert r.status_code == 409 and "stale" in r.text
    assert counts(world) == before


def test_forms_without_the_csrf_token_are_refused(client: ApiClient, world: World) -> None:
    episode = _episode(world, imported=False)
    sign_in(client, "clinician")
    before, last = counts(world), world.last_audit_id()
    r = client.post(
        f"/clinic/episodes/{episode}/events/cancel", data={"version": "1", "reason": "x"}
    )
    assert r.status_code == 403 and "CSRF" in r.text
    assert counts(world) == before
    (event,) = world.audit_after(last)
    assert (event.outcome, event.resource, event.detail) == (
        "denied",
        "episode.transition",
        "missing or wrong CSRF token",
    )


def test_pain_diary_entry_and_its_errors(client: ApiClient, world: World) -> None:
    sign_in(client, "patient")
    page = client.get("/portal/pt-own/diary")
    assert page.status_code == 200 and "No scores yet" in page.text
    token = csrf(page)
    r = client.post("/portal/pt-own/diary", data={"csrf_token": token, "value": "4"})
    assert r.status_code == 303 and r.headers["location"] == "/portal/pt-own/diary?saved=4"
    shown = client.get(r.headers["location"]).text
    assert "Saved: pain 4 out of 10." in shown and "<svg" in shown
    before = counts(world)
    r = client.post("/portal/pt-own/diary", data={"csrf_token": token, "value": "11"})
    assert r.status_code == 422 and 'id="value-error"' in r.text
    r = client.post(
        "/portal/pt-own/diary", data={"csrf_token": token, "value": "2", "when": "soon"}
    )
    assert r.status_code == 422 and 'id="when-error"' in r.text and 'value="soon"' in r.text
    assert counts(world) == before


def test_chart_and_workspace_show_the_assessment_with_dated_holds(
    client: ApiClient, world: World
) -> None:
    with world.session() as s:
        pid = import_bundle(
            s, world.principals["clinician"], vignette("warfarin-esi"), now=world.clock()
        )
    sign_in(client, "clinician")
    chart = client.get(f"/clinic/patients/{pid}")
    assert chart.status_code == 200 and "Record timeline" in chart.text
    assert f'src="/patients/{pid}/charts/trajectory.svg"' in chart.text  # pain + MME chart
    meds = client.get(f"/clinic/patients/{pid}", params={"kind": "Medication"}).text
    assert 'id="r-MedicationStatement-' in meds and 'id="r-Condition-' not in meds
    assert 'id="r-Condition-' in chart.text
    token = csrf(chart)
    r = client.post(
        f"/clinic/patients/{pid}/episodes",
        data={"csrf_token": token, "source": "referral", "reason": "Sciatica"},
    )
    assert r.status_code == 303
    workspace = r.headers["location"]
    episode = int(workspace.rsplit("/", 1)[1])
    steps: list[tuple[str, dict[str, str]]] = [
        ("consult", {"history": "h", "previous_treatments": "pt", "symptoms": "s", "exam": "e"}),
        ("assess", {"as_of": "2026-06-01"}),
        ("plan", {"procedures": "esi-transforaminal-lumbar", "benefits_discussed": "on",
                  "risks_discussed": "on", "alternatives_discussed": "on"}),
        ("schedule", {"procedure_id": "esi-transforaminal-lumbar", "start": "2026-06-10T09:00"}),
    ]  # fmt: skip
    for version, (event, data) in enumerate(steps, start=1):
        r = client.post(
            f"/clinic/episodes/{episode}/events/{event}",
            data={"csrf_token": token, "version": str(version), **data},
        )
        assert r.status_code == 303, (event, r.text[:2000])
    page = client.get(workspace).text
    assert "Stop warfarin on 2026-06-05" in page
    sign_in(client, "clinician")  # the patient's view is reached by staff too
    portal = client.get(f"/portal/{pid}/prepare").text
    assert "Stop taking warfarin on 2026-06-05." in portal


def test_a_signed_in_patient_saves_the_answers_to_their_own_record(
    client: ApiClient, world: World
) -> None:
    answers = {k: "no" for k in SCREEN} | {"readiness-1": "yes", "nrs": "5"}
    public = client.post("/self-assessment", data=answers)
    assert "Save to my record" not in public.text and "Nothing was saved" in public.text
    assert client.post("/self-assessment/save", data=answers).status_code == 303  # sign in

    sign_in(client, "patient")
    result = client.post("/self-assessment", data=answers)
    assert "Save to my record" in result.text
    before = counts(world)
    refused = client.post("/self-assessment/save", data=answers)  # no CSRF token
    assert refused.status_code == 403 and counts(world) == before
    saved = client.post("/self-assessment/save", data={**answers, "csrf_token": csrf(result)})
    assert saved.status_code == 303 and saved.headers["location"] == "/portal/pt-own?saved=answers"
    assert counts(world)["FhirResource"] == before["FhirResource"] + 1
    with world.session() as s:
        stored = s.scalars(
            select(FhirResource.resource).where(
                FhirResource.patient_id == "pt-own",
                FhirResource.resource_type == "QuestionnaireResponse",
            )
        ).one()
    assert stored["subject"] == {"reference": "Patient/pt-own"}
    assert "saved to your record" in client.get(saved.headers["location"]).text


def test_staff_cannot_save_self_assessment_answers(client: ApiClient, world: World) -> None:
    sign_in(client, "clinician")
    answers = {k: "no" for k in SCREEN}
    token = csrf(client.get("/clinic"))
    r = client.post("/self-assessment/save", data={**answers, "csrf_token": token})
    assert r.status_code == 403


def test_a_malformed_address_is_a_not_found_page(client: ApiClient) -> None:
    sign_in(client, "clinician")
    r = client.get("/clinic/episodes/not-a-number")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text


def test_an_unexpected_failure_is_a_plain_page_without_details(
    client: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail Ann Other")

    monkeypatch.setattr("painpath.web._staff.list_patients", broken)  # fault injection
    sign_in(client, "clinician")
    r = client.get("/clinic", params={"name": "Ann Other"})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in r.text and "secret" not in r.text
    assert "unhandled RuntimeError on page /clinic" in caplog.text
    assert "Ann Other" not in caplog.text and "secret" not in caplog.text


def test_a_clinician_assesses_again_from_the_chart(client: ApiClient, world: World) -> None:
    with world.session() as s:
        clinician = world.principals["clinician"]
        pid = import_bundle(s, clinician, vignette("radicular-ready"), now=world.clock())
    sign_in(client, "clinician")
    chart = client.get(f"/clinic/patients/{pid}")
    assert "No assessment is stored yet" in chart.text
    before = counts(world)["Assessment"]
    r = client.post(f"/clinic/patients/{pid}/assess", data={"csrf_token": csrf(chart)})
    assert r.status_code == 303
    assert counts(world)["Assessment"] == before + 1
    assert "refer interventional" in client.get(f"/clinic/patients/{pid}").text


def test_a_coordinator_may_not_run_the_engine(client: ApiClient, world: World) -> None:
    sign_in(client, "coordinator")
    chart = client.get("/clinic/patients/pt-other")
    assert "Assess again" not in chart.text
    r = client.post("/clinic/patients/pt-other/assess", data={"csrf_token": csrf(chart)})
    assert r.status_code == 403 and counts(world)["Assessment"] == 0
