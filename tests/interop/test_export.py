"""FHIR export of the demo clinic: valid R4 (fhirclient's R4 models), references that resolve,
and an export that, imported into an empty store, gives back exactly the same record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from clinic._world import FAST
from painpath.cli import app as cli_app
from painpath.clinic import Principal, add_document, add_questionnaire_response, clinic_named
from painpath.demo import DEMO_CLINIC, load_demo
from painpath.interop import (
    SOURCE_SYSTEM,
    export_patient,
    import_export,
    patient_ids,
    untag,
)
from painpath.knowledge import load_knowledge
from painpath.store import Document, User, session_factory

from ._fhir_r4 import RELATIVE, r4_problems, references

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
KB = load_knowledge()


@pytest.fixture
def demo(db_engine: Engine) -> Engine:
    """The demo clinic, plus one document, on the test database."""
    load_demo(db_engine, now=NOW, hasher=FAST)
    with session_factory(db_engine)() as session:
        clinician = session.scalars(select(User).where(User.role == "clinician")).first()
        assert clinician is not None
        who = Principal.of(clinician, None)
        intake = {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": "https://painpath.dev/fhir/Questionnaire/intake",
            "item": [
                {"linkId": "pain", "item": [{"linkId": "nrs", "answer": [{"valueInteger": 6}]}]}
            ],
        }
        add_questionnaire_response(session, who, "demo-radicular-ready", intake, now=NOW)
        add_document(
            session,
            Principal.of(clinician, None),
            "demo-radicular-ready",
            title="Procedure note",
            content_type="text/plain",
            content=b"TFESI right L5, no issues",
            now=NOW,
        )
    return db_engine


def _exports(engine: Engine) -> dict[str, dict[str, Any]]:
    with session_factory(engine)() as session:
        return {pid: export_patient(session, pid, KB) for pid in patient_ids(session)}


def _kept(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """What an import restores: the record and the documents (ids of documents aside)."""
    out = []
    for entry in bundle["entry"]:
        res, source = untag(entry["resource"], SOURCE_SYSTEM)
        if source == "document":
            res.pop("id")
        if source != "derived":
            out.append(res)
    return out


def test_every_exported_resource_is_valid_r4_with_references_that_resolve(demo: Engine) -> None:
    exports = _exports(demo)
    assert len(exports) == 13
    problems: list[str] = []
    kinds: set[str] = set()
    for bundle in exports.values():
        problems += r4_problems(bundle)
        present = {
            f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]
        }
        for entry in bundle["entry"]:
            res = entry["resource"]
            kinds.add(res["resourceType"])
            problems += r4_problems(res)
            for ref in references(res):
                if RELATIVE.match(ref) and ref not in present:
                    problems.append(
                        f"{res['resourceType']}/{res['id']}: {ref} is not in the Bundle"
                    )
    assert problems == []
    assert {
        "CarePlan",
        "ServiceRequest",
        "Procedure",
        "Observation",
        "DocumentReference",
        "AuditEvent",
        "Patient",
        "QuestionnaireResponse",
    } <= kinds


def test_an_export_imported_into_an_empty_store_gives_the_same_record(
    demo: Engine, db_sqlite_engine: Callable[[], Engine]
) -> None:
    before = _exports(demo)
    fresh = db_sqlite_engine()
    with session_factory(fresh)() as session:
        clinic = clinic_named(session, DEMO_CLINIC, create=True)
        for bundle in before.values():
            import_export(session, clinic.id, [e["resource"] for e in bundle["entry"]], now=NOW)
        session.commit()
        documents = session.scalars(select(Document)).all()
        assert [(d.title, d.content) for d in documents] == [
            ("Procedure note", b"TFESI right L5, no issues")
        ]
    after = _exports(fresh)
    assert sorted(after) == sorted(before)
    for pid in before:
        assert _kept(after[pid]) == _kept(before[pid]), pid


def test_importing_a_patient_twice_is_refused(demo: Engine) -> None:
    from painpath.errors import InputError

    bundle = _exports(demo)["demo-radicular-ready"]
    with session_factory(demo)() as session, pytest.raises(InputError) as caught:
        import_export(session, 1, [e["resource"] for e in bundle["entry"]], now=NOW)
    assert caught.value.where == "Patient/demo-radicular-ready"


def test_ndjson_export_and_import_through_the_cli(
    demo: Engine,
    db_sqlite_engine: Callable[[], Engine],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("PAINPATH_DATABASE_URL", demo.url.render_as_string(hide_password=False))
    out = tmp_path / "export"
    result = runner.invoke(cli_app, ["export", "--ndjson", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "Patient.ndjson").read_text().count("\n") == 13
    fresh = db_sqlite_engine()
    monkeypatch.setenv("PAINPATH_DATABASE_URL", fresh.url.render_as_string(hide_password=False))
    result = runner.invoke(cli_app, ["import-export", str(out), "--clinic", DEMO_CLINIC])
    assert result.exit_code == 0, result.output
    before, after = _exports(demo), _exports(fresh)
    for pid in before:
        assert sorted(map(repr, _kept(after[pid]))) == sorted(map(repr, _kept(before[pid]))), pid
    again = runner.invoke(cli_app, ["export", "--ndjson", str(out)])
    assert again.exit_code == 2
    assert "not empty" in again.output
