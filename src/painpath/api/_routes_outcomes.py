"""Outcomes over HTTP: the block diary, relief duration, outcome reports and their exports,
a patient's charts and generated documents (the clinic dashboard: `_routes_dashboard.py`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from painpath.api._deps import CallerDep, NowDep, SessionDep
from painpath.api._models import DocumentOut, _In
from painpath.api._pages import errors
from painpath.api._routes_patients import PatientPath
from painpath.clinic import (
    compute_outcomes,
    generate_document,
    outcome_export,
    patient_chart,
    record_block_diary,
    record_complication,
    record_relief_duration,
)
from painpath.reports import DiaryEntry

__all__ = ["SVG_RESPONSE", "AsOf", "router", "svg_response"]

router = APIRouter(tags=["outcomes"])

_READ = errors(401, 403, 404)
_WRITE = errors(400, 401, 403, 404)
SVG_RESPONSE: dict[str, Any] = {"content": {"image/svg+xml": {}}}
_SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

ProcedurePath = Annotated[str, Path(min_length=1, max_length=64, description="Procedure id")]
AsOf = Annotated[date | None, Query(description="Figures as of this date; default today.")]


class DiaryEntryIn(_In):
    """One diary entry: minutes after the block, and the NRS or the percent relief."""

    minutes: int = Field(ge=1, le=24 * 60)
    nrs: int | None = Field(default=None, ge=0, le=10)
    relief: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)


class DiaryIn(_In):
    """A block's pain diary: the score just before it and the scores at the protocol's times."""

    baseline: int | None = Field(default=None, ge=0, le=10)
    anesthetic: str | None = Field(default=None, max_length=40)
    entries: list[DiaryEntryIn] = Field(min_length=1, max_length=24)


class ReliefIn(_In):
    """Weeks the relief stayed at or above the outcomes level (50%)."""

    weeks: float = Field(ge=0, le=520, allow_inf_nan=False)


class ComplicationIn(_In):
    """Whether the procedure had a complication on the day (details go in the note)."""

    complication: bool


class OutcomesIn(_In):
    """Which episode: its index procedure, else the first one since the episode opened."""

    index: str | None = Field(default=None, max_length=80)
    episode_id: int | None = None
    as_of: date | None = None


class GenerateIn(_In):
    """A document to generate from the stored record."""

    kind: Literal["care-plan", "prior-auth", "procedure-note"]
    procedure: str | None = Field(default=None, max_length=64)
    planned: date | None = None
    as_of: date | None = None


def svg_response(data: bytes) -> Response:
    """SVG bytes with a policy that lets its inline styles apply and nothing run."""
    return Response(data, media_type="image/svg+xml", headers={"content-security-policy": _SVG_CSP})


@router.post(
    "/patients/{patient_id}/procedures/{procedure_id}/diary",
    name="diary.record",
    status_code=201,
    responses=_WRITE,
)
def diary(
    patient_id: PatientPath,
    procedure_id: ProcedurePath,
    body: DiaryIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> JSONResponse:
    """Judge a block's pain diary against the policy's threshold and record it on the
    procedure (the next assessment reads it). No baseline: 400 with the reason."""
    result = record_block_diary(
        session,
        caller.principal,
        patient_id,
        procedure_id,
        baseline=body.baseline,
        entries=[DiaryEntry(e.minutes, e.nrs, e.relief) for e in body.entries],
        anesthetic=body.anesthetic,
        now=now,
    )
    return JSONResponse(result, status_code=201)


@router.post(
    "/patients/{patient_id}/procedures/{procedure_id}/relief-duration",
    name="relief.record",
    status_code=201,
    responses=_WRITE,
)
def relief_duration(
    patient_id: PatientPath,
    procedure_id: ProcedurePath,
    body: ReliefIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> JSONResponse:
    """Record how many weeks the procedure's relief lasted; returns the FHIR Observation."""
    resource = record_relief_duration(
        session, caller.principal, patient_id, procedure_id, weeks=body.weeks, now=now
    )
    return JSONResponse(resource, status_code=201, media_type="application/fhir+json")


@router.post(
    "/patients/{patient_id}/procedures/{procedure_id}/complication",
    name="complication.record",
    status_code=201,
    responses=_WRITE,
)
def complication(
    patient_id: PatientPath,
    procedure_id: ProcedurePath,
    body: ComplicationIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> JSONResponse:
    """Record whether the procedure had a complication on the day; returns the Observation."""
    resource = record_complication(
        session,
        caller.principal,
        patient_id,
        procedure_id,
        complication=body.complication,
        now=now,
    )
    return JSONResponse(resource, status_code=201, media_type="application/fhir+json")


@router.post(
    "/patients/{patient_id}/outcomes", name="outcome.compute", status_code=201, responses=_WRITE
)
def outcomes_compute(
    patient_id: PatientPath,
    body: OutcomesIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> JSONResponse:
    """Compute an episode's outcome measures and store them as a new version."""
    result = compute_outcomes(
        session,
        caller.principal,
        patient_id,
        index=body.index,
        episode_id=body.episode_id,
        as_of=body.as_of,
        now=now,
    )
    return JSONResponse(result, status_code=201)


@router.get("/patients/{patient_id}/outcomes", name="outcome.read", responses=_READ)
def outcomes_read(
    patient_id: PatientPath,
    caller: CallerDep,
    session: SessionDep,
    format: Annotated[
        Literal["json", "csv", "parquet", "fhir"], Query(description="json, csv, parquet, fhir")
    ] = "json",
) -> Response:
    """The latest version of each outcome report; missing follow-ups stay missing."""
    data, media = outcome_export(session, caller.principal, patient_id, format)
    return Response(data, media_type=media)


@router.get(
    "/patients/{patient_id}/charts/{name}.svg",
    name="chart.patient",
    responses={200: SVG_RESPONSE, **_READ},
)
def chart(
    patient_id: PatientPath,
    name: Annotated[Literal["trajectory", "block-response"], Path()],
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
    procedure: Annotated[str | None, Query(max_length=64)] = None,
    as_of: AsOf = None,
) -> Response:
    """The patient's pain and MME trajectory, or a block's diary curve (`?procedure=ID`)."""
    data = patient_chart(
        session, caller.principal, patient_id, name, procedure=procedure, as_of=as_of, now=now
    )
    return svg_response(data)


@router.post(
    "/patients/{patient_id}/documents/generate",
    name="document.generate",
    status_code=201,
    response_model=DocumentOut,
    responses=_WRITE,
)
def generate(
    patient_id: PatientPath,
    body: GenerateIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Generate a care plan, prior-authorization packet or procedure note (PDF) and store it
    with the patient's documents; `GET /documents/{id}` returns it."""
    return generate_document(
        session,
        caller.principal,
        patient_id,
        kind=body.kind,
        procedure=body.procedure,
        planned=body.planned,
        as_of=body.as_of,
        now=now,
    )
