"""Generated documents from the pages: staff make a care plan, a prior-authorization packet or
a procedure note from the patient's chart (`clinic.generate_document`, which stores and audits
it); the chart and the patient's own plan page link to the stored PDFs (`GET /documents/{id}`).
"""

from __future__ import annotations

from datetime import date

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from painpath.api._deps import NowDep, SessionDep
from painpath.clinic import generate_document
from painpath.errors import InputError, PainpathError
from painpath.web._errors import error_page
from painpath.web._render import page
from painpath.web._route import PageRoute
from painpath.web._staff import DOCUMENTS, _chart_context, _placed
from painpath.web._timeline import KINDS
from painpath.web._viewer import ViewerDep, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _planned(raw: str) -> tuple[date | None, dict[str, str]]:
    if not raw.strip():
        return None, {}
    try:
        return date.fromisoformat(raw.strip()), {}
    except ValueError:
        return None, {"planned": "Enter the planned date as YYYY-MM-DD, for example 2026-06-15."}


@router.post("/clinic/patients/{patient_id}/documents", name="web.generate_document")
async def generate(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """Generate one document from the stored record; it then appears in the chart's list."""
    raw = await request.form()
    sent = {k: str(v) for k, v in raw.items()}

    def work() -> Response:
        principal = check_csrf(viewer, sent, session, "document.generate", patient_id=patient_id)
        kind = sent.get("kind", "")
        planned, errors = _planned(sent.get("planned", ""))
        if kind not in DOCUMENTS:
            errors["kind"] = f"Choose one of: {', '.join(DOCUMENTS.values())}."
        elif kind != "care-plan" and not sent.get("procedure"):
            errors["procedure"] = "Choose the procedure this document is about."
        if not errors:
            try:
                meta = generate_document(
                    session,
                    principal,
                    patient_id,
                    kind=kind,
                    procedure=sent.get("procedure") or None,
                    planned=planned,
                    now=now,
                )
                return RedirectResponse(
                    f"/clinic/patients/{patient_id}?made={meta['id']}#documents-title", 303
                )
            except InputError as exc:
                errors = _placed(exc)
        context = _chart_context(session, principal, patient_id, now)
        context.update(
            kinds=KINDS, kind="", doc_errors=errors, doc_values=sent, errors={}, made=None
        )
        return page(
            "chart.html",
            {**viewer.template(), **context},
            status=422,
            title=f"{context['patient']['display_name'] or patient_id}: chart (check the form)",
        )

    try:
        return await anyio.to_thread.run_sync(work)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
