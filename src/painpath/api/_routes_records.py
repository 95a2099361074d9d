"""Adding to the record: pain scores and relief, procedures, questionnaire answers, documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from painpath.api._deps import CallerDep, NowDep, SessionDep
from painpath.api._models import DocumentOut, ObservationIn, PageOut, ProcedureIn
from painpath.api._pages import Limit, Offset, RowId, Sort, errors, page_out
from painpath.api._routes_patients import PatientPath
from painpath.clinic import (
    MAX_DOCUMENT_BYTES,
    add_document,
    add_observation,
    add_procedure,
    add_questionnaire_response,
    get_document,
    list_documents,
    list_observations,
)

__all__ = ["router"]

router = APIRouter(tags=["records"])

_READ = errors(401, 403, 404)
_WRITE = errors(400, 401, 403, 404)
_FHIR: dict[str, Any] = {"content": {"application/fhir+json": {}}}


def _fhir(resource: dict[str, Any]) -> Response:
    return JSONResponse(resource, status_code=201, media_type="application/fhir+json")


@router.post(
    "/patients/{patient_id}/observations",
    name="observation.create",
    status_code=201,
    responses={201: _FHIR, **_WRITE},
)
def observation(
    patient_id: PatientPath,
    body: ObservationIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Record a pain score or a percent relief; returns the stored FHIR Observation."""
    resource = add_observation(
        session,
        caller.principal,
        patient_id,
        kind=body.kind,
        value=body.value,
        effective=body.effective,
        part_of=body.part_of,
        now=now,
    )
    return _fhir(resource)


@router.get(
    "/patients/{patient_id}/observations",
    name="observation.list",
    response_model=PageOut[dict[str, Any]],
    responses=_READ,
)
def observations(
    patient_id: PatientPath,
    caller: CallerDep,
    session: SessionDep,
    code: Annotated[str | None, Query(max_length=64, description="e.g. 72514-3")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The patient's FHIR Observations, newest first, optionally of one code."""
    page = list_observations(
        session, caller.principal, patient_id, code=code, limit=limit, offset=offset
    )
    return page_out(page)


@router.post(
    "/patients/{patient_id}/procedures",
    name="procedure.create",
    status_code=201,
    responses={201: _FHIR, **_WRITE},
)
def procedure(
    patient_id: PatientPath,
    body: ProcedureIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Record a performed procedure (CPT); returns the stored FHIR Procedure."""
    resource = add_procedure(
        session,
        caller.principal,
        patient_id,
        cpt=body.cpt,
        performed=body.performed,
        display=body.display,
        now=now,
    )
    return _fhir(resource)


@router.post(
    "/patients/{patient_id}/questionnaire-responses",
    name="questionnaire.create",
    status_code=201,
    responses={201: _FHIR, **_WRITE},
)
def questionnaire_response(
    patient_id: PatientPath,
    body: Annotated[dict[str, Any], Body(description="A FHIR QuestionnaireResponse.")],
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Store answers to the intake questionnaire; returns the stored QuestionnaireResponse."""
    resource = add_questionnaire_response(session, caller.principal, patient_id, body, now=now)
    return _fhir(resource)


@router.post(
    "/patients/{patient_id}/documents",
    name="document.create",
    status_code=201,
    response_model=DocumentOut,
    responses=_WRITE,
)
def document_upload(
    patient_id: PatientPath,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, text or FHIR JSON.")],
    title: Annotated[str, Form(max_length=200)],
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Store a document (multipart form: `file`, `title`)."""
    content = file.file.read(MAX_DOCUMENT_BYTES + 1)
    kind = file.content_type or "application/octet-stream"
    return add_document(
        session,
        caller.principal,
        patient_id,
        title=title,
        content_type=kind,
        content=content,
        now=now,
    )


@router.get(
    "/patients/{patient_id}/documents",
    name="document.list",
    response_model=PageOut[DocumentOut],
    responses=_READ,
)
def documents(
    patient_id: PatientPath,
    caller: CallerDep,
    session: SessionDep,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The patient's documents (metadata); sort by created_at, title or id."""
    page = list_documents(
        session,
        caller.principal,
        patient_id,
        sort=sort or "-created_at",
        limit=limit,
        offset=offset,
    )
    return page_out(page)


_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
"""File name endings of downloads, so a saved document opens with the right program."""


@router.get(
    "/documents/{document_id}",
    name="document.read",
    responses={200: {"content": {"application/octet-stream": {}}}, **_READ},
)
def document(document_id: RowId, caller: CallerDep, session: SessionDep) -> Response:
    """A document's bytes, as an attachment (never rendered inline)."""
    meta, content = get_document(session, caller.principal, document_id)
    ext = _EXTENSIONS.get(meta["content_type"], "")
    headers = {"Content-Disposition": f'attachment; filename="document-{meta["id"]}{ext}"'}
    return Response(content, media_type=meta["content_type"], headers=headers)
