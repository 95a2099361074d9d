"""Patients: FHIR Bundle import, the patient list, one patient, the record, assessments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Path, Query, Response
from fastapi.responses import JSONResponse

from painpath.api._deps import CallerDep, NowDep, SessionDep
from painpath.api._models import AssessmentOut, ErrorBody, ImportResult, PageOut, PatientOut
from painpath.api._pages import Limit, Offset, Sort, errors, page_out
from painpath.clinic import (
    assess_patient,
    get_patient,
    get_patient_bundle,
    import_bundle,
    list_assessments,
    list_patients,
)

__all__ = ["PatientPath", "router"]

router = APIRouter(tags=["patients"])

_JSON = "application/json"
PatientPath = Annotated[str, Path(min_length=1, max_length=64, description="FHIR Patient id")]
_READ = errors(401, 403, 404)


@router.post(
    "/fhir/Bundle",
    name="fhir.import",
    status_code=201,
    response_model=ImportResult,
    responses={
        400: {"model": ErrorBody, "description": "Not a readable Bundle; nothing stored."},
        **_READ,
    },
)
def import_fhir_bundle(
    bundle: Annotated[dict[str, Any], Body(description="One patient's FHIR R4 Bundle.")],
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
    response: Response,
) -> dict[str, str]:
    """Import one patient's FHIR R4 Bundle, all or nothing; re-importing replaces the record."""
    patient_id = import_bundle(session, caller.principal, bundle, now=now)
    response.headers["Location"] = f"/patients/{patient_id}"
    return {"patient_id": patient_id}


@router.get("/patients", name="patient.list", response_model=PageOut[PatientOut], responses=_READ)
def patients(
    caller: CallerDep,
    session: SessionDep,
    name: Annotated[str | None, Query(max_length=200, description="Part of the name.")] = None,
    state: Annotated[str | None, Query(max_length=40, description="An episode state.")] = None,
    status: Annotated[str | None, Query(max_length=40, description="Latest status.")] = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The clinic's patients; sort by name, birth_date, created_at, updated_at or id."""
    page = list_patients(
        session,
        caller.principal,
        name=name,
        state=state,
        status=status,
        sort=sort or "name",
        limit=limit,
        offset=offset,
    )
    return page_out(page)


@router.get(
    "/patients/{patient_id}", name="patient.read", response_model=PatientOut, responses=_READ
)
def patient(patient_id: PatientPath, caller: CallerDep, session: SessionDep) -> dict[str, Any]:
    """One patient: demographics, episode states and the latest assessment status."""
    return get_patient(session, caller.principal, patient_id)


@router.get(
    "/patients/{patient_id}/fhir",
    name="patient.fhir",
    responses={200: {"content": {"application/fhir+json": {}}}, **_READ},
)
def patient_fhir(patient_id: PatientPath, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The stored record as a FHIR R4 collection Bundle."""
    bundle = get_patient_bundle(session, caller.principal, patient_id)
    return JSONResponse(bundle, media_type="application/fhir+json")


@router.get(
    "/patients/{patient_id}/assessment",
    name="assessment.run",
    responses={
        200: {"description": "A painpath.assessment/v1 document."},
        400: {"model": ErrorBody},
        **_READ,
    },
)
def assessment(
    patient_id: PatientPath,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
    as_of: Annotated[date | None, Query(description="Default: today (UTC).")] = None,
    payer: Annotated[str, Query(max_length=20, description="cms or none.")] = "cms",
) -> Response:
    """Run the engine on the stored record, store the result, return the v1 document."""
    document = assess_patient(session, caller.principal, patient_id, as_of, payer, now=now)
    # The document is plain JSON already (it was just stored in a JSON column): orjson
    # writes the same bytes as FastAPI's encoder and JSONResponse, about 100 times faster.
    return Response(orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS), media_type=_JSON)


@router.get(
    "/patients/{patient_id}/assessments",
    name="assessment.list",
    response_model=PageOut[AssessmentOut],
    responses=_READ,
)
def assessments(
    patient_id: PatientPath,
    caller: CallerDep,
    session: SessionDep,
    sort: Sort = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The stored assessments, newest first; sort by created_at, as_of, status or id."""
    page = list_assessments(
        session,
        caller.principal,
        patient_id,
        sort=sort or "-created_at",
        limit=limit,
        offset=offset,
    )
    return page_out(page)
