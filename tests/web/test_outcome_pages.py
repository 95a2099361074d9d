"""Outcomes in the pages over HTTP: the chart's trajectory and block-response charts, the
workspace's post-block diary and relief forms (errors next to fields, nothing half-saved,
CSRF), generated documents, and the dashboard's access. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from api._client import ApiClient
from clinic._world import FAST, Clock, World, make_world, vignette
from painpath.clinic import import_bundle, open_episode
from painpath.store import AuditEvent, Document, FhirResource
from painpath.web import create_app

from .test_pages import csrf, sign_in


@pytest.fixture
def world(db_engine: Engine) -> World:
    return make_world(db_engine, Clock())


@pytest.fixture
def client(world: World) -> Iterator[ApiClient]:
    c = ApiClient(create_app(world.engine, clock=world.clock, hasher=FAST))
    yield c
    c.close()


def _facet(world: World) -> tuple[str, int]:
    """The two-blocks vignette (MBBs procedure-21 and -23) with an open episode."""
    bundle = vignette("facet-two-positive-blocks")
    with world.session() as s:
        clinician = world.principals["clinician"]
        pid = import_bundle(s, clinician, bundle, now=world.clock())
        payload: dict[str, Any] = {"source": "referral", "reason": "Facet pain"}
        episode = int(open_episode(s, clinician, pid, payload, now=world.clock())["id"])
    return pid, episode


def _stored(world: World) -> int:
    with world.session() as s:
        return int(s.scalar(select(func.count()).select_from(FhirResource)) or 0)


DIARY = {"procedure": "procedure-21", "anesthetic": "bupivacaine", "baseline": "8"}


def test_a_diary_entered_in_the_workspace_is_judged_and_charted(
    client: ApiClient, world: World
) -> None:
    pid, episode = _facet(world)
    sign_in(client, "clinician")
    page = client.get(f"/clinic/episodes/{episode}")
    assert "Record a post-block pain diary" in page.text
    assert "no diary yet" in page.text
    scores = {"nrs_30": "4", "nrs_60": "2", "nrs_120": "1", "nrs_240": "3"}
    r = client.post(
        f"/clinic/episodes/{episode}/diary", data={"csrf_token": csrf(page), **DIARY, **scores}
    )
    assert r.status_code == 303 and r.headers["location"].endswith("#outcomes-title")
    after = client.get(f"/clinic/episodes/{episode}").text
    assert "Positive</strong>: Peak relief 87.5% at 2 hours" in after
    chart = client.get(f"/clinic/patients/{pid}").text
    assert "Block response: " in chart and "procedure=procedure-21" in chart
    assert f"/patients/{pid}/charts/trajectory.svg" in chart
    svg = client.get(f"/patients/{pid}/charts/block-response.svg?procedure=procedure-21")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


def test_a_diary_below_the_threshold_is_negative(client: ApiClient, world: World) -> None:
    _pid, episode = _facet(world)
    sign_in(client, "clinician")
    token = csrf(client.get(f"/clinic/episodes/{episode}"))
    data = {"csrf_token": token, **DIARY, "nrs_30": "6", "nrs_60": "4", "nrs_120": "5"}
    assert client.post(f"/clinic/episodes/{episode}/diary", data=data).status_code == 303
    assert "Negative</strong>: Peak relief 50%" in client.get(f"/clinic/episodes/{episode}").text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"baseline": "", "nrs_30": "4"}, "baseline", "No baseline pain score"),
        ({"nrs_30": "four"}, "nrs_30", "whole number from 0 to 10"),
        ({"nrs_60": "11"}, "nrs_60", "11 is out of range"),
        ({"anesthetic": "lidocaine", "nrs_240": "3"}, "nrs_240", "not a diary time"),
        ({"procedure": "procedure-99", "nrs_30": "3"}, "procedure", "No such procedure"),
    ],
)
def test_a_wrong_diary_is_refused_next_to_its_field_and_nothing_is_stored(
    client: ApiClient, world: World, fields: dict[str, str], field: str, message: str
) -> None:
    _pid, episode = _facet(world)
    sign_in(client, "clinician")
    token = csrf(client.get(f"/clinic/episodes/{episode}"))
    before = _stored(world)
    r = client.post(
        f"/clinic/episodes/{episode}/diary", data={"csrf_token": token, **DIARY, **fields}
    )
    assert r.status_code == 422
    assert f'id="diary-{field}-error"' in r.text and message in r.text
    assert "Nothing was saved." in r.text
    for name, value in fields.items():
        if value and name != "procedure":
            assert f'value="{value}"' in r.text or f'value="{value}" selected' in r.text
    assert _stored(world) == before


def test_relief_duration_from_the_workspace(client: ApiClient, world: World) -> None:
    _pid, episode = _facet(world)
    sign_in(client, "clinician")
    token = csrf(client.get(f"/clinic/episodes/{episode}"))
    before = _stored(world)
    bad = client.post(
        f"/clinic/episodes/{episode}/relief",
        data={"csrf_token": token, "procedure": "procedure-23", "weeks": "many"},
    )
    assert bad.status_code == 422 and 'id="relief-weeks-error"' in bad.text
    assert 'value="many"' in bad.text and _stored(world) == before
    ok = client.post(
        f"/clinic/episodes/{episode}/relief",
        data={"csrf_token": token, "procedure": "procedure-23", "weeks": "12"},
    )
    assert ok.status_code == 303
    assert "12 weeks" in client.get(f"/clinic/episodes/{episode}").text


def test_outcome_forms_need_the_csrf_token(client: ApiClient, world: World) -> None:
    pid, episode = _facet(world)
    sign_in(client, "clinician")
    before = _stored(world)
    for path, data in [
        (f"/clinic/episodes/{episode}/diary", {**DIARY, "nrs_30": "2"}),
        (f"/clinic/episodes/{episode}/relief", {"procedure": "procedure-21", "weeks": "3"}),
        (f"/clinic/patients/{pid}/documents", {"kind": "care-plan"}),
    ]:
        r = client.post(path, data=data)
        assert r.status_code == 403 and "CSRF" in r.text
    assert _stored(world) == before
    with world.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0


def test_staff_make_documents_and_the_patient_downloads_the_care_plan(
    client: ApiClient, world: World
) -> None:
    pid, _episode = _facet(world)
    sign_in(client, "clinician")
    chart = client.get(f"/clinic/patients/{pid}")
    token = csrf(chart)
    missing = client.post(
        f"/clinic/patients/{pid}/documents", data={"csrf_token": token, "kind": "prior-auth"}
    )
    assert missing.status_code == 422 and 'id="doc-procedure-error"' in missing.text
    made = [
        client.post(f"/clinic/patients/{pid}/documents", data={"csrf_token": token, **data})
        for data in (
            {"kind": "prior-auth", "procedure": "facet-rfa-lumbar"},
            {"kind": "care-plan"},
            {"kind": "procedure-note", "procedure": "facet-rfa-lumbar", "planned": "2026-06-20"},
        )
    ]
    assert [r.status_code for r in made] == [303, 303, 303]
    listed = client.get(made[-1].headers["location"]).text
    assert "Prior authorization: facet-rfa-lumbar" in listed and "Care plan" in listed
    link = listed.split('href="/documents/', 2)[1].split('"', 1)[0]
    pdf = client.get(f"/documents/{link}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with world.session() as s:
        generated = s.scalars(
            select(AuditEvent.detail).where(AuditEvent.resource.like("document.generate%"))
        ).all()
    assert sorted(d for d in generated if d) == ["care-plan", "prior-auth", "procedure-note"]


def test_dashboard_page_for_clinicians_and_admins_only(client: ApiClient, world: World) -> None:
    for who, status in [("clinician", 200), ("admin", 200), ("coordinator", 403), ("patient", 403)]:
        sign_in(client, who)
        r = client.get("/clinic/dashboard")
        assert r.status_code == status, who
        home = client.get("/procedures").text
        assert ('href="/clinic/dashboard"' in home) is (status == 200), who
    sign_in(client, "clinician")
    page = client.get("/clinic/dashboard").text
    assert "Clinic dashboard" in page and "/dashboard/charts/funnel.svg" in page


def test_a_patient_cannot_post_to_the_workspace_forms(client: ApiClient, world: World) -> None:
    with world.session() as s:
        payload: dict[str, Any] = {"source": "self-referral", "reason": "Back pain"}
        episode = open_episode(
            s, world.principals["clinician"], "pt-own", payload, now=world.clock()
        )
    sign_in(client, "patient")
    token = csrf(client.get("/portal/pt-own"))
    before = _stored(world)
    for form in ("diary", "relief"):
        r = client.post(
            f"/clinic/episodes/{episode['id']}/{form}",
            data={"csrf_token": token, **DIARY, "nrs_30": "2", "weeks": "3"},
        )
        assert r.status_code == 403 and "for the clinic team" in r.text
    assert _stored(world) == before
