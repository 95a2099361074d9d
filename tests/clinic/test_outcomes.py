"""Outcome reports in the store: computed from the stored record, versioned, exported."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from builders import bundle, condition, nrs, procedure
from painpath.clinic import compute_outcomes, import_bundle, latest_outcomes, outcome_export
from painpath.errors import AccessDenied, InputError

from ._world import World

AS_OF = date(2026, 6, 1)


def _patient(world: World) -> str:
    b = bundle(
        condition("M54.16", onset="2025-06-01"),
        procedure("64483", performed="2026-01-05T09:00:00Z", id="esi-1"),
        nrs(8, "2025-12-20T10:00:00Z"),
        nrs(2, "2026-01-19T10:00:00Z"),
        patient_id="pt-outcomes",
    )
    with world.session() as session:
        return import_bundle(session, world.principals["clinician"], b, now=world.clock())


def _compute(world: World, pid: str) -> dict:  # type: ignore[type-arg]
    with world.session() as session:
        return compute_outcomes(
            session, world.principals["clinician"], pid, as_of=AS_OF, now=world.clock()
        )


def test_each_computation_is_a_new_version_and_the_latest_is_read(world: World) -> None:
    pid = _patient(world)
    first = _compute(world, pid)
    second = _compute(world, pid)
    assert (first["report"]["version"], second["report"]["version"]) == (1, 2)
    with world.session() as session:
        latest = latest_outcomes(session, world.principals["coordinator"], pid)
    assert [r["report"]["version"] for r in latest] == [2]
    two = next(w for w in latest[0]["windows"] if w["window"] == "2w")
    assert two["nrs_improvement_percent"] == pytest.approx(75.0)
    assert two["responders"] == {"responder-30": True, "responder-50": True}


def test_csv_and_fhir_exports_report_missing_windows_as_missing(world: World) -> None:
    pid = _patient(world)
    _compute(world, pid)
    with world.session() as session:
        data, media = outcome_export(session, world.principals["clinician"], pid, "csv")
        fhir, _ = outcome_export(session, world.principals["clinician"], pid, "fhir")
    assert media == "text/csv"
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert {r["window"]: r["status"] for r in rows}["6w"] == "missing"
    bundle_ = json.loads(fhir)
    six = [e["resource"] for e in bundle_["entry"] if "-6w-nrs-change" in e["resource"]["id"]]
    assert six[0]["dataAbsentReason"]["coding"][0]["code"] == "unknown"


def test_the_fhir_export_carries_generated_documents_as_document_references(
    world: World,
) -> None:
    from painpath.clinic import generate_document

    pid = _patient(world)
    _compute(world, pid)
    with world.session() as session:
        meta = generate_document(
            session, world.principals["clinician"], pid, kind="care-plan", as_of=AS_OF
        )
        fhir, _ = outcome_export(session, world.principals["clinician"], pid, "fhir")
    refs = [e["resource"] for e in json.loads(fhir)["entry"]]
    refs = [r for r in refs if r["resourceType"] == "DocumentReference"]
    assert [r["content"][0]["attachment"]["url"] for r in refs] == [f"/documents/{meta['id']}"]
    assert refs[0]["content"][0]["attachment"]["contentType"] == "application/pdf"


def test_an_unknown_format_is_refused(world: World) -> None:
    pid = _patient(world)
    with world.session() as session, pytest.raises(InputError):
        outcome_export(session, world.principals["clinician"], pid, "xlsx")


def test_a_coordinator_may_not_compute_outcomes(world: World) -> None:
    pid = _patient(world)
    with world.session() as session, pytest.raises(AccessDenied):
        compute_outcomes(session, world.principals["coordinator"], pid, as_of=AS_OF)
