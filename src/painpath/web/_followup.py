"""Outcome forms of the episode workspace: a block's post-block pain diary and a procedure's
duration of relief. Each posts to the clinic service (`record_block_diary`,
`record_relief_duration`), which judges and stores it in one transaction; a refusal comes back
next to its field with what was typed kept, and nothing is stored.
"""

from __future__ import annotations

import re
from datetime import datetime

import anyio.to_thread
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from painpath.api._deps import NowDep, SessionDep
from painpath.clinic import (
    Principal,
    get_episode,
    record_block_diary,
    record_relief_duration,
)
from painpath.errors import AccessDenied, InputError, NotFound, PainpathError
from painpath.knowledge import load_outcomes
from painpath.web._blocks import outcome_forms, read_diary_form, read_weeks
from painpath.web._errors import error_page
from painpath.web._render import page
from painpath.web._route import PageRoute
from painpath.web._staff import _placed, _workspace
from painpath.web._viewer import Viewer, ViewerDep, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_ENTRY = re.compile(r"entries\[(\d+)\]")


def _field(exc: PainpathError, minutes: list[int]) -> str:
    """Where a service's refusal belongs on the diary form."""
    where = getattr(exc, "field", None) or exc.where or ""
    found = _ENTRY.match(where)
    if found and int(found.group(1)) < len(minutes):
        return f"nrs_{minutes[int(found.group(1))]}"
    if where in ("baseline", "anesthetic", "procedure", "weeks"):
        return where
    return "_form"


def _again(
    viewer: Viewer,
    session: Session,
    principal: Principal,
    episode_id: int,
    now: datetime,
    form: str,
    sent: dict[str, str],
    errors: dict[str, str],
) -> Response:
    context = _workspace(session, principal, episode_id, now)
    context.update(
        outcome_forms(session, principal, context["patient"]["id"], form=form, values=sent)
    )
    context[f"{form}_errors"] = errors
    return page(
        "episode.html",
        {**viewer.template(), **context},
        status=422,
        title=f"{context['patient']['display_name']}: please check the form",
    )


async def _post(
    request: Request,
    viewer: Viewer,
    session: Session,
    episode_id: int,
    now: datetime,
    form: str,
) -> Response:
    raw = await request.form()
    sent = {k: str(v) for k, v in raw.items()}
    operation = "diary.record" if form == "diary" else "relief.record"

    def work() -> Response:
        principal = check_csrf(viewer, sent, session, operation)
        if not viewer.is_staff:  # the workspace is the clinic team's (as its GET page)
            raise AccessDenied("the episode workspace is for the clinic team", "episode")
        pid = get_episode(session, principal, episode_id)["patient_id"]
        outcomes = load_outcomes()
        procedure = sent.get("procedure", "")
        try:
            if form == "diary":
                baseline, entries, errors = read_diary_form(sent, outcomes)
                if not errors:
                    record_block_diary(
                        session,
                        principal,
                        pid,
                        procedure,
                        baseline=baseline,
                        entries=entries,
                        anesthetic=sent.get("anesthetic") or None,
                        now=now,
                    )
                    return RedirectResponse(f"/clinic/episodes/{episode_id}#outcomes-title", 303)
            else:
                weeks, errors = read_weeks(sent)
                if not errors and weeks is not None:
                    record_relief_duration(session, principal, pid, procedure, weeks=weeks, now=now)
                    return RedirectResponse(f"/clinic/episodes/{episode_id}#outcomes-title", 303)
        except (InputError, NotFound) as exc:
            minutes = [e.minutes for e in read_diary_form(sent, outcomes)[1]]
            field = "procedure" if isinstance(exc, NotFound) else _field(exc, minutes)
            errors = {field: next(iter(_placed(exc).values()))}
        return _again(viewer, session, principal, episode_id, now, form, sent, errors)

    try:
        return await anyio.to_thread.run_sync(work)
    except PainpathError as exc:
        return error_page(request, viewer, exc)


@router.post("/clinic/episodes/{episode_id}/diary", name="web.block_diary")
async def block_diary(
    request: Request, episode_id: int, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """Record a block's post-block diary; the page then shows positive or negative."""
    return await _post(request, viewer, session, episode_id, now, "diary")


@router.post("/clinic/episodes/{episode_id}/relief", name="web.relief_duration")
async def relief_duration(
    request: Request, episode_id: int, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """Record how many weeks a procedure's relief lasted."""
    return await _post(request, viewer, session, episode_id, now, "relief")
