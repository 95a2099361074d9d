"""Staff pages: the worklist, the patient chart, and the episode workspace with its forms.

Every page calls the clinic services with the signed-in principal, so the access table and
the audit log apply exactly as for the API. A form posts one pathway event; a refusal is
shown next to the field it names, with everything typed kept, and nothing is stored.
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
    Principal,
    assess_patient,
    episode_events,
    get_episode,
    get_patient,
    get_patient_bundle,
    list_assessments,
    list_documents,
    list_episodes,
    list_patients,
    open_episode,
    transition_episode,
)
from painpath.errors import AccessDenied, ConflictError, InputError, PainpathError, PathwayError
from painpath.knowledge import Knowledge, load_knowledge, load_outcomes
from painpath.pathway import load_pathway, opening_event
from painpath.web._blocks import outcome_forms, procedures_of
from painpath.web._errors import error_page
from painpath.web._events import FormField, event_fields, read_event_form
from painpath.web._holds import holds_for, option_for
from painpath.web._procday import checklist_view
from painpath.web._render import page
from painpath.web._route import PageRoute
from painpath.web._timeline import KINDS, anchor, code_names, timeline
from painpath.web._viewer import ViewerDep, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

DOCUMENTS = {
    "care-plan": "Care plan",
    "prior-auth": "Prior-authorization packet",
    "procedure-note": "Procedure note (skeleton)",
}
"""The documents the chart can make (`clinic.generate_document` kinds), with their words."""

PAGE_SIZE = 25
STATUSES = ("urgent-evaluation", "refer-interventional", "conservative-care-first", "not-indicated")


def _form(form: Any) -> dict[str, list[str]]:
    return {key: [str(v) for v in form.getlist(key)] for key in form}


@router.get("/clinic", name="web.worklist")
def worklist(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    name: str = "",
    stage: str = "",
    status: str = "",
    offset: int = 0,
) -> Response:
    """The clinic's patients by pathway stage, filtered by name, stage and latest status."""
    states = list(load_pathway().states)
    stage = stage if stage in states else ""
    status = status if status in STATUSES else ""
    try:
        principal = viewer.require()
        found = list_patients(
            session,
            principal,
            name=name.strip()[:100] or None,
            state=stage or None,
            status=status or None,
            sort="name",
            limit=PAGE_SIZE,
            offset=max(0, offset),
        )
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    return page(
        "worklist.html",
        {
            **viewer.template(),
            "rows": found.items,
            "total": found.total,
            "offset": found.offset,
            "next_offset": found.next_offset,
            "prev_offset": max(0, found.offset - PAGE_SIZE) if found.offset else None,
            "stages": states,
            "statuses": STATUSES,
            "filters": {"name": name, "stage": stage, "status": status},
        },
        title="Worklist",
    )


def _latest_document(session: Session, principal: Principal, pid: str) -> dict[str, Any] | None:
    found = list_assessments(session, principal, pid, limit=1)
    return found.items[0] if found.items else None


def _opening_fields() -> list[FormField]:
    return [
        FormField(f.name, f.type, f.required, f.label or f.name, f.expected, f.values or ())
        for f in opening_event().fields
    ]


def _chart_context(
    session: Session,
    principal: Principal,
    pid: str,
    now: datetime,
    values: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    patient = get_patient(session, principal, pid)
    latest = _latest_document(session, principal, pid)
    document = latest["document"] if latest else None
    bundle = get_patient_bundle(session, principal, pid)
    episodes = list_episodes(session, principal, pid, limit=20).items
    open_ = [e for e in episodes if not e["terminal"]]
    start = _schedule_start(open_[0]["data"]) if open_ else None
    kb = load_knowledge()
    outcomes = load_outcomes()
    procedures = procedures_of(bundle, kb, outcomes)
    plan = (open_[0]["data"].get("plan") or {}).get("procedures") if open_ else None
    return {
        "patient": patient,
        "assessment": latest,
        "document": document,
        "entries": timeline(bundle, document, code_names(kb)),
        "diaries": [p for p in procedures if p.diary is not None],
        "documents": list_documents(session, principal, pid, limit=20).items,
        "doc_choices": _document_choices(plan or [], document, kb),
        "doc_values": {  # the planned procedure and its booked day, when there is one
            "planned": start.date().isoformat() if start else "",
            "procedure": plan[0] if plan else "",
        },
        "doc_errors": {},
        "doc_kinds": DOCUMENTS,
        "made": None,
        "episodes": episodes,
        "opening": [
            {
                "f": f,
                "choices": [(v, v.replace("-", " ")) for v in f.values],
                "value": (values or {}).get(f.name, [_defaults(f, now, None)]),
            }
            for f in _opening_fields()
        ]
        if not open_
        else [],
        "start": start,
        "holds": _holds_by_option(document, start),
        "kb": kb,
        "anchor": anchor,
        "today": now.date().isoformat(),
    }


def _document_choices(
    plan: list[str], document: dict[str, Any] | None, kb: Knowledge
) -> list[tuple[str, str]]:
    """Procedures a document can be about: the open episode's plan first, then the options of
    the latest assessment."""
    ordered = [*plan, *(o["procedure"] for o in (document or {}).get("options") or [])]
    return [
        (p, f"{kb.procedures[p].name} ({p})") for p in dict.fromkeys(ordered) if p in kb.procedures
    ]


def _schedule_start(data: dict[str, Any]) -> datetime | None:
    schedule = data.get("schedule")
    raw = schedule.get("start") if isinstance(schedule, dict) else None
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _holds_by_option(document: dict[str, Any] | None, start: datetime | None) -> dict[str, Any]:
    return {
        o["procedure"]: holds_for(o.get("safety") or [], start)
        for o in (document or {}).get("options") or []
    }


@router.get("/clinic/patients/{patient_id}", name="web.chart")
def chart(
    request: Request,
    patient_id: str,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    kind: str = "",
    made: int | None = None,
) -> Response:
    """The patient's story on one screen: the record as a timeline (optionally one kind of
    entry), the assessment beside it."""
    try:
        principal = viewer.require()
        if not viewer.is_staff:
            # a patient sees their own record through the portal; the chart is for staff
            get_patient(session, principal, patient_id)  # audits the read (or the refusal)
            raise AccessDenied("the chart is for the clinic team", "chart")
        context = _chart_context(session, principal, patient_id, now)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    if kind in KINDS:
        context["entries"] = [e for e in context["entries"] if e.kind == kind]
    context.update(kinds=KINDS, kind=kind if kind in KINDS else "", made=made)
    return page(
        "chart.html",
        {**viewer.template(), **context, "errors": {}},
        title=f"{context['patient']['display_name'] or patient_id}: chart",
    )


@router.post("/clinic/patients/{patient_id}/assess", name="web.assess")
async def assess_again(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """Run the engine on the stored record as of today and store it (clinicians)."""
    form = await request.form()

    def work() -> Response:
        principal = check_csrf(viewer, form, session, "assessment.run", patient_id=patient_id)
        assess_patient(session, principal, patient_id, now=now)
        return RedirectResponse(f"/clinic/patients/{patient_id}#assessment-title", 303)

    try:
        return await anyio.to_thread.run_sync(work)
    except PainpathError as exc:
        return error_page(request, viewer, exc)


@router.post("/clinic/patients/{patient_id}/episodes", name="web.open_episode")
async def start_episode(
    request: Request, patient_id: str, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """Open an episode with its referral; errors next to the fields, values kept."""
    sent = _form(await request.form())
    payload, errors = read_event_form(_opening_fields(), sent)

    def work() -> Response:
        nonlocal errors
        principal = check_csrf(viewer, sent_one, session, "episode.open", patient_id=patient_id)
        if not errors:
            try:
                episode = open_episode(session, principal, patient_id, payload, now=now)
                return RedirectResponse(f"/clinic/episodes/{episode['id']}", status_code=303)
            except (PathwayError, InputError) as exc:
                errors = _placed(exc)
        context = _chart_context(session, principal, patient_id, now, sent)
        context.update(kinds=KINDS, kind="")
        return page(
            "chart.html",
            {**viewer.template(), **context, "errors": errors},
            status=422,
            title=f"{context['patient']['display_name'] or patient_id}: chart (check the form)",
        )

    sent_one = {k: v[0] for k, v in sent.items() if v}
    try:
        return await anyio.to_thread.run_sync(work)
    except PainpathError as exc:
        return error_page(request, viewer, exc)


def _placed(exc: PainpathError) -> dict[str, str]:
    """A service's refusal as a message next to its field (or `_form` for the whole form)."""
    field = "version" if isinstance(exc, ConflictError) else getattr(exc, "field", None) or "_form"
    if field == "_form" and exc.where and "field '" in exc.where:
        field = exc.where.split("field '", 1)[1].split("'", 1)[0]
    expected = f" Expected: {exc.expected}." if exc.expected else ""
    return {field: f"{exc.what[:1].upper()}{exc.what[1:]}.{expected}"}


def _choices(field: FormField, episode: dict[str, Any], document: Any) -> list[tuple[str, str]]:
    """(value, label) choices of a field; procedures from the assessment and the plan first."""
    kb = load_knowledge()
    if field.type in ("procedure-id", "procedure-ids"):
        plan = (episode["data"].get("plan") or {}).get("procedures") or []
        ordered: list[str] = []
        if field.type == "procedure-id":
            ordered += [p for p in plan if p in kb.procedures]
        ordered += [o["procedure"] for o in (document or {}).get("options") or []]
        ordered += list(kb.procedures)
        seen = list(dict.fromkeys(ordered))
        notes = {
            o["procedure"]: (
                f"{'indicated' if o['indicated'] else 'not indicated'},"
                f" coverage {o['coverage']['status'].replace('-', ' ')}"
            )
            for o in (document or {}).get("options") or []
        }
        return [
            (p, f"{kb.procedures[p].name} ({p})" + (f": {notes[p]}" if p in notes else ""))
            for p in seen
        ]
    if field.type == "checklist-step":
        labels = {s.id: s.label for s in load_pathway().definition.checklist.steps}
        return [(v, labels.get(v, v)) for v in field.values]
    return [(v, v.replace("-", " ")) for v in field.values]


def _defaults(field: FormField, now: datetime, next_step: str | None) -> str:
    if field.type == "datetime" and field.name == "at":
        return now.strftime("%Y-%m-%dT%H:%M")
    if field.type == "date" and field.name in ("visit_date", "as_of", "referred_on"):
        return now.date().isoformat()
    if field.type == "checklist-step" and next_step:
        return next_step
    return ""


def _workspace(
    session: Session,
    principal: Principal,
    episode_id: int,
    now: datetime,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, list[str]]] | None = None,
) -> dict[str, Any]:
    episode = get_episode(session, principal, episode_id)
    pid = episode["patient_id"]
    patient = get_patient(session, principal, pid)
    latest = _latest_document(session, principal, pid)
    document = latest["document"] if latest else None
    history = episode_events(session, principal, episode_id, limit=100).items
    checklist = checklist_view(episode["data"], now)
    start = _schedule_start(episode["data"])
    forms = []
    for event in episode["next_events"]:
        if not event["permitted"]:
            continue
        fields = event_fields(event)
        kept = (values or {}).get(event["name"])
        forms.append(
            {
                "event": event,
                "fields": [
                    {
                        "f": f,
                        "choices": _choices(f, episode, document),
                        "value": (kept or {}).get(f.name)
                        if kept is not None
                        else [_defaults(f, now, checklist.next_step)],
                    }
                    for f in fields
                ],
                "errors": (errors or {}).get(event["name"], {}),
                "kept": kept is not None,
            }
        )
    scheduled = (episode["data"].get("schedule") or {}).get("procedure_id")
    plan = (episode["data"].get("plan") or {}).get("procedures") or []
    focus = [scheduled] if scheduled else list(plan)
    return {
        **outcome_forms(session, principal, pid),
        "diary_errors": {},
        "relief_errors": {},
        "episode": episode,
        "patient": patient,
        "assessment": latest,
        "document": document,
        "history": history,
        "forms": forms,
        "checklist": checklist,
        "start": start,
        "holds": _holds_by_option(document, start),
        "focus": focus,
        "option_for": option_for,
        "kb": load_knowledge(),
        "anchor": anchor,
        "now": now,
    }


@router.get("/clinic/episodes/{episode_id}", name="web.episode")
def episode_page(
    request: Request, episode_id: int, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """The episode workspace: where it stands, what was recorded, and the next steps' forms."""
    try:
        principal = viewer.require()
        if not viewer.is_staff:
            raise AccessDenied("the episode workspace is for the clinic team", "episode")
        context = _workspace(session, principal, episode_id, now)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    return page(
        "episode.html",
        {**viewer.template(), **context},
        title=f"{context['patient']['display_name']}: {context['episode']['state']}",
    )


@router.get("/clinic/episodes/{episode_id}/events/{event}", name="web.episode_event_page")
def episode_event_page(episode_id: int, event: str) -> Response:
    """A form's address opened directly (a bookmark, a reload): the workspace."""
    return RedirectResponse(f"/clinic/episodes/{episode_id}#event-{event}", status_code=303)


@router.post("/clinic/episodes/{episode_id}/events/{event}", name="web.episode_event")
async def episode_event(
    request: Request,
    episode_id: int,
    event: str,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Post one pathway event; on refusal the workspace comes back with the messages."""
    sent = _form(await request.form())
    sent_one = {k: v[0] for k, v in sent.items() if v}

    def work() -> Response:
        principal = check_csrf(viewer, sent_one, session, "episode.transition")
        current = get_episode(session, principal, episode_id)
        spec = next((e for e in current["next_events"] if e["name"] == event), None)
        if spec is None:
            raise PathwayError(
                f"'{event}' cannot happen now (the episode is {current['state']})",
                "event",
                "one of the events the page offers",
            )
        payload, errors = read_event_form(event_fields(spec), sent)
        if not errors:
            try:
                version = int(sent_one.get("version", "-1"))
                transition_episode(session, principal, episode_id, event, payload, version, now=now)
                return RedirectResponse(f"/clinic/episodes/{episode_id}#state", status_code=303)
            except (PathwayError, InputError, ConflictError) as exc:
                errors = _placed(exc)
        context = _workspace(
            session,
            principal,
            episode_id,
            now,
            errors={event: errors},
            values={event: sent},
        )
        return page(
            "episode.html",
            {**viewer.template(), **context, "open_event": event},
            status=409 if "version" in errors else 422,
            title=f"{context['patient']['display_name']}: please check the form",
        )

    try:
        return await anyio.to_thread.run_sync(work)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
