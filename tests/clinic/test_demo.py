"""The demo clinic (`painpath demo`): every pathway stage reached through the clinic services,
valid and meaningful assessments, logins that work through the real HTTP app, and a second
load that changes nothing. Runs on every backend (`db_engine`)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api._client import ApiClient
from clinic._world import FAST, VIGNETTES
from engine._support import assert_valid
from painpath.api import create_app
from painpath.cli import app as cli_app
from painpath.clinic import Principal, assess_patient, clinic_named, new_user
from painpath.demo import CAST, DEMO_CLINIC, load_demo
from painpath.demo._load import _LOADING
from painpath.errors import ConflictError, StoreError
from painpath.pathway import load_pathway
from painpath.store import (
    Assessment,
    AuditEvent,
    Base,
    Clinic,
    Episode,
    EpisodeEvent,
    Patient,
    User,
    make_engine,
    session_factory,
)


def _counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    with engine.connect() as connection:
        return {
            t.name: int(connection.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar_one())
            for t in Base.metadata.sorted_tables
        }


def _demo_clinic(session: Session) -> Clinic:
    clinic = session.scalar(select(Clinic).where(Clinic.name == DEMO_CLINIC))
    assert clinic is not None
    return clinic


def test_every_stage_is_reached_through_the_services_and_a_second_load_changes_nothing(
    db_engine: Engine,
) -> None:
    result = load_demo(db_engine, hasher=FAST)
    assert result.loaded and result.patients == len(CAST) >= 12
    assert set(result.states) == set(load_pathway().definition.states)
    now = datetime.now(UTC)
    with session_factory(db_engine)() as session:
        clinic = _demo_clinic(session)
        patients = session.scalars(select(Patient).where(Patient.clinic_id == clinic.id)).all()
        assert {p.id for p in patients} == {m.patient_id for m in CAST}
        assert all(p.display_name for p in patients)
        for episode in session.scalars(select(Episode).order_by(Episode.id)):
            events = session.scalars(
                select(EpisodeEvent)
                .where(EpisodeEvent.episode_id == episode.id)
                .order_by(EpisodeEvent.id)
            ).all()
            assert events[0].event == "refer" and events[0].from_state == ""
            for before, after in itertools.pairwise(events):
                assert after.from_state == before.to_state and after.at >= before.at
            assert events[-1].to_state == episode.state
            assert episode.version == len(events)  # one stored event per committed move
            audited = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.resource == f"episode.transition Episode/{episode.id}",
                    AuditEvent.outcome == "allowed",
                    AuditEvent.patient_id == episode.patient_id,
                )
            )
            assert audited == len(events) - 1
            assert events[-1].at <= now
            if episode.state == "scheduled":
                assert datetime.fromisoformat(episode.data["schedule"]["start"]) > now
            if episode.state in ("follow-up", "decision", "discharged"):
                visits = episode.data["follow_up"]["visits"]
                assert visits and all(0 <= v["nrs"] <= 10 for v in visits)
                assert {s["step"] for s in episode.data["procedure_day"]["steps"]} >= {
                    "arrival",
                    "procedure",
                    "recovery",
                    "discharge",
                }
            if "plan" in episode.data:  # the plan's procedure is one the assessment indicates
                stored = session.get(Assessment, int(episode.data["assessment"]["assessment_id"]))
                assert stored is not None
                indicated = {o["procedure"] for o in stored.document["options"] if o["indicated"]}
                assert set(episode.data["plan"]["procedures"]) <= indicated
        outcomes = set(session.scalars(select(AuditEvent.outcome)))
        assert outcomes == {"allowed"}

    counts = _counts(db_engine)
    again = load_demo(db_engine, hasher=FAST)
    assert not again.loaded and again.states == result.states
    assert _counts(db_engine) == counts


def _mismatches(expect: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    """What differs from a vignette's expectation (the fields `check_vignettes.py` reads)."""
    found: list[str] = []
    if "status" in expect and doc["status"] != expect["status"]:
        found.append(f"status {doc['status']}")
    if "red_flags" in expect and sorted(f["id"] for f in doc["red_flags"]) != sorted(
        expect["red_flags"]
    ):
        found.append("red_flags")
    if "mme_per_day" in expect and abs(doc["mme_per_day"] - expect["mme_per_day"]) > 0.51:
        found.append(f"mme_per_day {doc['mme_per_day']}")
    options = {o["procedure"]: o for o in doc["options"]}
    for procedure, want in expect.get("options", {}).items():
        got = options.get(procedure)
        if got is None:
            found.append(f"{procedure} missing")
            continue
        if "indicated" in want and got["indicated"] is not want["indicated"]:
            found.append(f"{procedure}.indicated")
        if "coverage" in want and got["coverage"]["status"] != want["coverage"]:
            found.append(f"{procedure}.coverage")
        holds = {s.get("drug"): s.get("hold_days_before") for s in got["safety"]}
        for drug, days in want.get("safety", {}).items():
            if holds.get(drug) != days:
                found.append(f"{procedure}.safety.{drug}")
    return found


def test_every_demo_patient_has_a_valid_assessment_and_vignettes_keep_their_meaning(
    db_engine: Engine,
) -> None:
    load_demo(db_engine, hasher=FAST)
    with session_factory(db_engine)() as session:
        user = session.scalar(select(User).where(User.email == "clinician@demo.example"))
        assert user is not None
        clinician = Principal.of(user)
        for member in CAST:
            live = assess_patient(session, clinician, member.patient_id)
            assert_valid(live)
            stored = session.scalars(
                select(Assessment)
                .where(Assessment.patient_id == member.patient_id)
                .order_by(Assessment.id)
            ).all()
            for row in stored:
                assert_valid(row.document)
            if not member.source.startswith("vignette:"):
                assert live["options"] or live["status"] == "not-indicated", member.key
                continue
            # the vignette as of its reference day: the episode's assessment, or today's
            reference = stored[0].document if member.assessed is not None else live
            name = member.source.removeprefix("vignette:")
            expect = json.loads((VIGNETTES / f"{name}.expect.json").read_text())
            assert _mismatches(expect, reference) == [], member.key


def test_the_demo_logins_work_through_the_http_app(db_engine: Engine) -> None:
    result = load_demo(db_engine, hasher=FAST)
    everyone = {m.patient_id for m in CAST}
    client = ApiClient(create_app(db_engine, hasher=FAST))
    try:
        for login in result.logins:
            form = {"username": login.email, "password": login.password}
            token = client.post("/auth/token", data=form)
            assert token.status_code == 200, (login.email, token.text)
            auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert client.get("/me", headers=auth).json()["role"] == login.role
            if login.role in ("clinician", "coordinator"):
                listed = client.get("/patients", params={"limit": 100}, headers=auth).json()
                assert {p["id"] for p in listed["items"]} == everyone
            elif login.role == "admin":
                users = client.get("/users", headers=auth).json()
                assert {u["email"] for u in users["items"]} == {x.email for x in result.logins}
            else:
                assert login.patient_id is not None
                own = client.get(f"/patients/{login.patient_id}/episodes", headers=auth)
                assert own.status_code == 200 and own.json()["total"] == 1
                other = sorted(everyone - {login.patient_id})[0]
                assert client.get(f"/patients/{other}", headers=auth).status_code == 403
                shown = client.get(f"/patients/{login.patient_id}/assessment", headers=auth)
                assert shown.status_code == 200
                assert_valid(shown.json())
        wrong = client.post(
            "/auth/token", data={"username": "clinician@demo.example", "password": "not it!"}
        )
        assert wrong.status_code == 401
    finally:
        client.close()


def test_missing_shared_data_is_a_clear_error_and_loads_nothing(
    db_url: str, tmp_path: Path
) -> None:
    env = {"PAINPATH_DATABASE_URL": db_url, "PAINPATH_SHARED": str(tmp_path / "nowhere")}
    outcome = CliRunner().invoke(cli_app, ["demo"], env=env)
    assert outcome.exit_code == 2
    assert "shared demo data is missing" in outcome.output and "Traceback" not in outcome.output
    engine = make_engine(db_url)
    try:
        assert _counts(engine)["clinic"] == 0
    finally:
        engine.dispose()


def test_an_interrupted_load_is_reported_not_taken_for_a_finished_one(db_engine: Engine) -> None:
    with session_factory(db_engine)() as session:
        session.add(Clinic(name=_LOADING))
        session.commit()
    with pytest.raises(StoreError, match="interrupted"):
        load_demo(db_engine, hasher=FAST)


def test_a_taken_demo_email_is_refused_before_anything_is_written(db_engine: Engine) -> None:
    with session_factory(db_engine)() as session:
        clinic = clinic_named(session, "Elsewhere", create=True)
        new_user(
            session,
            email="clinician@demo.example",
            password="a long password 1",
            role="clinician",
            clinic_id=clinic.id,
            hasher=FAST,
        )
        session.commit()
    counts = _counts(db_engine)
    with pytest.raises(ConflictError, match="email is taken"):
        load_demo(db_engine, hasher=FAST)
    assert _counts(db_engine) == counts
