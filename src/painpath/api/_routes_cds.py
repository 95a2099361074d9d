"""CDS Hooks 2.0: discovery, the three services, and their feedback endpoint.

These routes serve EHRs, not painpath users: a call proves its EHR with a signed JWT
(`painpath.interop.CdsClients`, docs/access.md "CDS Hooks"), so they are not in the user
access table (`ACCESS`) nor in the OpenAPI document; the discovery document describes them.
Every hook call and feedback post is audited with the EHR's issuer as the actor.

Errors keep the API's one shape: 400 for a request that is not valid CDS Hooks (malformed
JSON included), 401 for a missing or bad JWT, 404 for an unknown service, 412 with no
cards when the data could not be fetched from the EHR's FHIR server.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session, sessionmaker

from painpath.api._errors import error_response
from painpath.errors import AuthError, InputError, PainpathError
from painpath.interop import (
    CdsClient,
    CdsClients,
    FetchError,
    cds_audit,
    discovery,
    draft_orders,
    gather_resources,
    load_catalog,
    load_clients,
    parse_feedback,
    parse_hook_request,
    patient_in_clinic,
    run_hook,
    store_feedback,
    write_audit,
)
from painpath.knowledge import load_knowledge

__all__ = ["CHART_URL_ENV", "PUBLIC_URL_ENV", "router"]

router = APIRouter(tags=["cds-hooks"], include_in_schema=False)
log = logging.getLogger("painpath.api")

PUBLIC_URL_ENV = "PAINPATH_PUBLIC_URL"
"""The service's public base URL (the JWT `aud` is checked against it); default: as called."""
CHART_URL_ENV = "PAINPATH_CHART_URL"
"""The chart link of patient-view cards, with `{base}` and `{patient_id}`."""
_CHART_DEFAULT = "{base}/clinic/patients/{patient_id}"
_JSON = "application/json"


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=_JSON)


def _base(request: Request) -> str:
    return (os.environ.get(PUBLIC_URL_ENV) or str(request.base_url)).rstrip("/")


def _clients(request: Request) -> CdsClients:
    """The registered EHRs (read once per process). An unusable clients file is the
    operator's problem, not the caller's: it is logged and answered 500, never echoed."""
    clients: CdsClients | None = getattr(request.app.state, "cds_clients", None)
    if clients is None:
        try:
            clients = load_clients()
        except InputError as exc:
            log.error("CDS clients file unusable: %s", exc.message)
            raise PainpathError("CDS clients file unusable") from None
        request.app.state.cds_clients = clients
    return clients


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _audit_alone(request: Request, service_id: str, outcome: str, **kw: Any) -> None:
    factory: sessionmaker[Session] = request.app.state.sessions
    now = request.app.state.clock()

    def write() -> None:
        with factory() as session:
            session.add(cds_audit(service_id, outcome, now=now, source_ip=_ip(request), **kw))
            session.commit()

    await anyio.to_thread.run_sync(write)


async def _authenticate(request: Request, service_id: str, audiences: list[str]) -> CdsClient:
    try:
        client, _jti = _clients(request).verify(request.headers.get("authorization"), audiences)
    except AuthError as exc:
        await _audit_alone(
            request, service_id, "denied", patient_id=None, client=None, detail=exc.what
        )
        raise
    return client


@router.get("/cds-services", name="cds.discovery")
def cds_discovery() -> Response:
    """The CDS Hooks discovery document: painpath's services and their prefetch templates."""
    return _json(discovery(load_catalog()))


@router.post("/cds-services/{service_id}", name="cds.hook")
async def cds_hook(service_id: str, request: Request) -> Response:
    """Call a service: a CDS Hooks request in, `{"cards": [...]}` out."""
    catalog = load_catalog()
    service = catalog.service(service_id)
    if service is None:
        return error_response(404, "not-found", "no such CDS service", "service_id")
    base = _base(request)
    client = await _authenticate(request, service_id, [f"{base}/cds-services/{service_id}"])
    patient: str | None = None
    try:
        hook = parse_hook_request(await request.body(), service.hook)
        patient = hook.patient_id
        knowledge = load_knowledge()
        relevant = service.hook == "patient-view" or bool(
            draft_orders(hook.context, knowledge, catalog, service.hook)
        )  # order hooks without a painpath procedure: no data, no engine, no cards
        resources = await gather_resources(hook, client, catalog) if relevant else []
    except PainpathError as exc:
        outcome = "error" if isinstance(exc, FetchError | InputError) else "denied"
        await _audit_alone(
            request,
            service_id,
            outcome,
            patient_id=patient,
            client=client.iss,
            detail=f"{type(exc).__name__} at {exc.where}",
        )
        if isinstance(exc, FetchError):
            return error_response(412, "fhir-unavailable", exc.message, exc.where)
        raise
    factory: sessionmaker[Session] = request.app.state.sessions
    now = request.app.state.clock()
    template = os.environ.get(CHART_URL_ENV) or _CHART_DEFAULT

    def work() -> dict[str, Any]:
        with factory() as session:
            try:
                chart = None
                if service.hook == "patient-view" and patient_in_clinic(
                    session, hook.patient_id, client.clinic
                ):
                    chart = template.format(base=base, patient_id=hook.patient_id)
                if not relevant:
                    response: dict[str, Any] = {"cards": []}
                else:
                    response = run_hook(
                        hook,
                        resources,
                        knowledge=knowledge,
                        catalog=catalog,
                        as_of=now.date(),
                        chart_url=chart,
                    )
                outcome, detail, failed = "allowed", f"{len(response['cards'])} cards", None
            except InputError as exc:
                session.rollback()
                outcome, detail, failed = "error", f"{type(exc).__name__} at {exc.where}", exc
            event = cds_audit(
                service_id,
                outcome,
                patient_id=hook.patient_id,
                client=client.iss,
                detail=detail,
                now=now,
                source_ip=_ip(request),
            )
            write_audit(session, event)
            session.commit()
            if failed is not None:
                raise failed
            return response

    return _json(await anyio.to_thread.run_sync(work))


@router.post("/cds-services/{service_id}/feedback", name="cds.feedback")
async def cds_feedback(service_id: str, request: Request) -> Response:
    """Feedback on cards: accepted (with suggestions) or overridden (with a reason)."""
    if load_catalog().service(service_id) is None:
        return error_response(404, "not-found", "no such CDS service", "service_id")
    base = _base(request)
    audiences = [f"{base}/cds-services/{service_id}", f"{base}/cds-services/{service_id}/feedback"]
    client = await _authenticate(request, service_id, audiences)
    try:
        entries = parse_feedback(await request.body())
    except InputError as exc:
        await _audit_alone(
            request,
            service_id,
            "error",
            patient_id=None,
            client=client.iss,
            detail=f"feedback: {type(exc).__name__} at {exc.where}",
        )
        raise
    factory: sessionmaker[Session] = request.app.state.sessions
    now = request.app.state.clock()

    def work() -> list[int]:
        with factory() as session:
            return store_feedback(
                session,
                entries,
                client=client.iss,
                service_id=service_id,
                now=now,
                source_ip=_ip(request),
            )

    ids = await anyio.to_thread.run_sync(work)
    return _json({"stored": len(ids)})
