"""FHIR export over HTTP: a patient's painpath data as one FHIR R4 Bundle."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Response

from painpath.api._deps import CallerDep, NowDep, SessionDep
from painpath.api._pages import errors
from painpath.api._routes_patients import PatientPath
from painpath.interop import get_patient_export
from painpath.knowledge import load_knowledge

__all__ = ["router"]

router = APIRouter(tags=["fhir"])


@router.get(
    "/fhir/Patient/{patient_id}/$everything",
    name="patient.export",
    responses={200: {"content": {"application/fhir+json": {}}}, **errors(401, 403, 404)},
)
def patient_everything(
    patient_id: PatientPath, caller: CallerDep, session: SessionDep, now: NowDep
) -> Response:
    """Everything painpath holds on the patient as a FHIR R4 collection Bundle: the record
    (with its source in `meta.tag`), one CarePlan per episode, ServiceRequests of booked
    procedures, DocumentReferences and the patient's AuditEvents."""
    bundle = get_patient_export(session, caller.principal, patient_id, load_knowledge(), now=now)
    return Response(orjson.dumps(bundle), media_type="application/fhir+json")
