"""The patient's own pages: my plan, getting ready for the procedure day, aftercare, and the
pain diary with its trend chart.

Every read and write goes through the clinic services with the signed-in principal: a patient
reaches only their own record (the service refuses and audits anything else); staff of the
patient's clinic may open these pages too, to see what the patient sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from painpath.api._deps import NowDep, SessionDep
from painpath.clinic import (
    OBSERVATION_KINDS,
    Principal,
    add_observation,
    get_patient,
    list_assessments,
    list_documents,
    list_episodes,
    list_observations,
)
from painpath.errors import InputError, PainpathError
from painpath.knowledge import load_knowledge
from painpath.web._errors import error_page
from painpath.web._holds import holds_for, option_for
from painpath.web._library import expect_steps
from painpath.web._render import page
from painpath.web._route import PageRoute
from painpath.web._trend import Point, trend_svg
from painpath.web._viewer import Viewer, ViewerDep, check_csrf, home_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

DIARY_ENTRIES = 100
"""How many of the newest diary entries the page reads (and charts)."""

_NRS = OBSERVATION_KINDS["nrs"]["code"]


def _time(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def _portal(session: Session, principal: Principal, pid: str) -> dict[str, Any]:
    """The patient, their current episode (open, else the newest), plan, booking and holds."""
    patient = get_patient(session, principal, pid)
    episodes = list_episodes(session, principal, pid, limit=20).items
    current = next((e for e in episodes if not e["terminal"]), episodes[0] if episodes else None)
    data: dict[str, Any] = current["data"] if current else {}
    assessments = list_assessments(session, principal, pid, limit=1).items
    document = assessments[0]["document"] if assessments else None
    kb = load_knowledge()
    plan = data.get("plan") or {}
    schedule = data.get("schedule") or {}
    booked = schedule.get("procedure_id")
    chosen = [booked] if booked else list(plan.get("procedures") or [])
    procedures = [kb.procedures[p] for p in chosen if p in kb.procedures]
    start = _time(schedule.get("start"))
    option = option_for(document, booked) if booked else None
    holds = holds_for((option or {}).get("safety") or [], start)
    steps = ((data.get("procedure_day") or {}).get("steps")) or []
    aftercare = [s.get("aftercare") for s in steps if isinstance(s, dict) and s.get("aftercare")]
    return {
        "patient": patient,
        "episode": current,
        "data": data,
        "plan": plan,
        "schedule": schedule,
        "start": start,
        "procedures": procedures,
        "steps_of": expect_steps,
        "holds": holds,
        "aftercare": aftercare,
        "sedation": any("sedation" in p.anesthesia.lower() for p in procedures),
    }


def _show(
    request: Request, viewer: Viewer, session: Session, pid: str, name: str, title: str
) -> Response:
    try:
        principal = viewer.require()
        context = _portal(session, principal, pid)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    return page(name, {**viewer.template(), **context, "section": name}, title=title)


@router.get("/portal", name="web.portal_home")
def portal_home(viewer: ViewerDep) -> Response:
    """A signed-in patient's start page (their plan); others go to their own start."""
    if viewer.principal is None:
        return RedirectResponse("/signin?next=/portal", status_code=303)
    return RedirectResponse(home_of(viewer), status_code=303)


@router.get("/portal/{patient_id}", name="web.my_plan")
def my_plan(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep, saved: str = ""
) -> Response:
    """My plan: the procedures chosen, why, what to expect, the other parts of the plan, and
    the documents the care team made (the care plan PDF to download)."""
    try:
        principal = viewer.require()
        context = _portal(session, principal, patient_id)
        context["documents"] = list_documents(session, principal, patient_id, limit=20).items
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    return page(
        "my_plan.html",
        {**viewer.template(), **context, "section": "my_plan.html", "saved": saved == "answers"},
        title="My plan",
    )


@router.get("/portal/{patient_id}/prepare", name="web.my_prepare")
def my_prepare(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep
) -> Response:
    """Getting ready: the day and time, what to bring, which medicines to pause and when."""
    return _show(request, viewer, session, patient_id, "my_prepare.html", "Getting ready")


@router.get("/portal/{patient_id}/aftercare", name="web.my_aftercare")
def my_aftercare(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep
) -> Response:
    """After the procedure: recovery, when relief may come, restarting medicines, warning signs."""
    return _show(request, viewer, session, patient_id, "my_aftercare.html", "Aftercare")


def _diary(
    session: Session, principal: Principal, pid: str, *, error: str = "", when: str = ""
) -> dict[str, Any]:
    context = _portal(session, principal, pid)
    found = list_observations(session, principal, pid, code=_NRS, limit=DIARY_ENTRIES).items
    entries = []
    for obs in found:
        at = _time(obs.get("effectiveDateTime"))
        value = obs.get("valueInteger")
        if at is not None and isinstance(value, int | float):
            entries.append(Point(at, float(value)))
    marks = []
    for step in (context["data"].get("procedure_day") or {}).get("steps") or []:
        at = _time(step.get("at")) if isinstance(step, dict) else None
        if at is not None and step.get("step") == "procedure":
            marks.append((at, "procedure"))
    chart = trend_svg(entries, marks, title="My pain scores")
    return {
        **context,
        "entries": entries[:14],
        "chart": chart,
        "error": error,
        "when": when,
    }


@router.get("/portal/{patient_id}/diary", name="web.my_diary")
def my_diary(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep, saved: str = ""
) -> Response:
    """The pain diary: one tap saves today's score; the entries and the trend chart below."""
    try:
        principal = viewer.require()
        context = _diary(session, principal, patient_id)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    return page(
        "my_diary.html",
        {**viewer.template(), **context, "saved": saved if saved.isdigit() else ""},
        title="My pain diary",
    )


@router.post("/portal/{patient_id}/diary", name="web.my_diary_add")
async def my_diary_add(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """Save one pain score (0-10) now, or at the time given; errors next to the field."""
    form = await request.form()
    sent = {k: str(v) for k, v in form.items()}
    raw_value = sent.get("value", "").strip()
    raw_when = sent.get("when", "").strip()

    def work() -> Response:
        principal = check_csrf(viewer, sent, session, "observation.create", patient_id=patient_id)
        error_field, message = "", ""
        value: int | None = None
        effective: datetime | None = None
        try:
            value = int(raw_value)
        except ValueError:
            error_field, message = "value", "Tap a score from 0 to 10."
        if raw_when and not message:
            parsed = _time(raw_when)
            if parsed is None:
                error_field, message = "when", "Enter the date and time, e.g. 2026-06-01 09:30."
            else:
                effective = parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
        if not message and value is not None:
            try:
                add_observation(
                    session,
                    principal,
                    patient_id,
                    kind="nrs",
                    value=value,
                    effective=effective,
                    now=now,
                )
                return RedirectResponse(
                    f"/portal/{patient_id}/diary?saved={value}", status_code=303
                )
            except InputError as exc:
                error_field = "when" if exc.where == "effective" else "value"
                message = f"{exc.what[:1].upper()}{exc.what[1:]} (expected {exc.expected})."
        context = _diary(session, principal, patient_id, when=raw_when)
        return page(
            "my_diary.html",
            {
                **viewer.template(),
                **context,
                "saved": "",
                "error_field": error_field,
                "error": message,
            },
            status=422,
            title="My pain diary (please check)",
        )

    try:
        return await anyio.to_thread.run_sync(work)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
