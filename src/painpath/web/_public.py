"""Public pages (no sign-in): home, procedure library, self-assessment, sign in and out."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from painpath import assess
from painpath.api._deps import COOKIE, NowDep, SessionDep, client_ip
from painpath.clinic import add_questionnaire_response, login, logout
from painpath.errors import AccessDenied, AuthError, NotFound, PainpathError, RateLimited
from painpath.knowledge import load_knowledge
from painpath.web._errors import error_page
from painpath.web._intake import (
    intake_groups,
    questionnaire_response,
    read_answers,
    response_bundle,
)
from painpath.web._library import expect_steps, library
from painpath.web._render import page
from painpath.web._route import PageRoute
from painpath.web._selfcheck import self_result
from painpath.web._viewer import Viewer, ViewerDep, check_csrf, home_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_COOKIE_FLAGS: dict[str, Any] = {"path": "/", "secure": True, "httponly": True, "samesite": "lax"}
"""The session cookie's flags, as the API sets them (`painpath.api` `/auth/login`)."""


@router.get("/", name="web.home")
def home(viewer: ViewerDep) -> Response:
    """The front door: what painpath is, and where to go next."""
    return page("home.html", {**viewer.template()}, title="Is interventional pain care for me?")


@router.get("/procedures", name="web.procedures")
def procedures(viewer: ViewerDep) -> Response:
    """The six families and every procedure, with traditional vs interventional care."""
    kb = load_knowledge()
    return page(
        "procedures.html",
        {**viewer.template(), "families": library(kb)},
        title="Pain procedures explained",
    )


@router.get("/procedures/{procedure_id}", name="web.procedure")
def procedure(request: Request, procedure_id: str, viewer: ViewerDep) -> Response:
    """One procedure: what it treats, how it works, what to expect, recovery, relief, risks."""
    kb = load_knowledge()
    proc = kb.procedures.get(procedure_id)
    if proc is None:
        return error_page(request, viewer, NotFound("no such procedure", procedure_id))
    return page(
        "procedure.html",
        {
            **viewer.template(),
            "p": proc,
            "family": kb.families[proc.family],
            "steps": expect_steps(proc.what_to_expect),
        },
        title=proc.plain_name,
    )


def _form_page(viewer: Viewer, values: dict[str, list[str]], errors: dict[str, str]) -> Any:
    return {
        **viewer.template(),
        "groups": intake_groups(load_knowledge()),
        "values": values,
        "errors": errors,
    }


@router.get("/self-assessment", name="web.self_assessment")
def self_assessment(viewer: ViewerDep) -> Response:
    """The intake questionnaire as a form (field names are its linkIds)."""
    return page("self_assessment.html", _form_page(viewer, {}, {}), title="Is it right for me?")


async def _read_intake(
    request: Request, viewer: Viewer
) -> tuple[dict[str, list[str]], Any, Any, Any] | Response:
    """The posted intake answers read against the questionnaire: (sent, values, groups,
    knowledge), or the form again with each error next to its field (422)."""
    form = await request.form()
    sent = {key: [str(v) for v in form.getlist(key)] for key in form if key != "csrf_token"}
    kb = load_knowledge()
    groups = intake_groups(kb)
    values, errors = read_answers(sent, groups)
    if errors:
        return page(
            "self_assessment.html",
            _form_page(viewer, sent, errors),
            status=422,
            title="Is it right for me? (please check your answers)",
        )
    return sent, values, groups, kb


@router.post("/self-assessment", name="web.self_assessment_result")
async def self_assessment_result(request: Request, viewer: ViewerDep, now: NowDep) -> Response:
    """Read the answers, assess them in memory (nothing is stored), show what they suggest."""
    read = await _read_intake(request, viewer)
    if isinstance(read, Response):
        return read
    sent, values, groups, kb = read
    bundle = response_bundle(values, groups, str(kb.questionnaire["url"]), now)
    document = await anyio.to_thread.run_sync(
        partial(assess, bundle, as_of=now.date(), payer="none", knowledge=kb)
    )
    result = self_result(document, values, groups, kb)
    return page(
        "self_result.html",
        {**viewer.template(), "r": result, "sent": sent},
        title="What your answers suggest",
    )


@router.post("/self-assessment/save", name="web.self_assessment_save")
async def self_assessment_save(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    """A signed-in patient saves the answers to their own record (CSRF-checked, audited)."""
    read = await _read_intake(request, viewer)
    if isinstance(read, Response):
        return read
    _, values, groups, kb = read
    form = await request.form()  # Starlette keeps the parsed form: the CSRF token is in it
    principal = viewer.principal
    if principal is None or principal.role != "patient" or principal.patient_id is None:
        refusal: PainpathError = (
            AuthError("not signed in", "session", "a signed-in patient")
            if principal is None
            else AccessDenied("only a patient saves answers, to their own record", "role")
        )
        return error_page(request, viewer, refusal)
    pid = principal.patient_id
    response = questionnaire_response(values, groups, str(kb.questionnaire["url"]), now, pid)

    def save() -> None:
        check_csrf(viewer, form, session, "questionnaire.create", patient_id=pid)
        add_questionnaire_response(session, principal, pid, response, now=now)

    try:
        await anyio.to_thread.run_sync(save)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    return RedirectResponse(f"/portal/{pid}?saved=answers", status_code=303)


def _safe_next(target: str | None) -> str | None:
    """A same-site path to go to after sign-in, else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@router.get("/signin", name="web.signin")
def signin_form(request: Request, viewer: ViewerDep) -> Response:
    """The sign-in form."""
    return page(
        "signin.html",
        {
            **viewer.template(),
            "email": "",
            "error": "",
            "next": _safe_next(request.query_params.get("next")) or "",
        },
        title="Sign in",
    )


@router.post("/signin", name="web.signin_submit")
async def signin(request: Request, session: SessionDep, now: NowDep) -> Response:
    """Check the password, start a web session (cookie), and go to the viewer's home."""
    form = await request.form()
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    try:
        result = await anyio.to_thread.run_sync(
            partial(
                login,
                session,
                email,
                password,
                kind="session",
                source_ip=client_ip(request),
                now=now,
                hasher=request.app.state.hasher,
            )
        )
    except (AuthError, RateLimited) as exc:
        message = (
            "Too many failed attempts. Please wait a few minutes and try again."
            if isinstance(exc, RateLimited)
            else "The email or the password is not right. Please check both and try again."
        )
        context = {"viewer": Viewer(), "email": email, "error": message, "next": target or ""}
        return page("signin.html", context, status=401, title="Sign in (please try again)")
    viewer = Viewer(result.principal)
    response = RedirectResponse(target or home_of(viewer), status_code=303)
    seconds = int((result.expires_at - now).total_seconds())
    response.set_cookie(COOKIE, result.secret, max_age=seconds, **_COOKIE_FLAGS)
    return response


@router.post("/signout", name="web.signout")
async def signout(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    """End the session (CSRF-checked) and clear the cookie."""
    form = await request.form()
    try:
        principal = await anyio.to_thread.run_sync(
            partial(check_csrf, viewer, form, session, "auth.logout")
        )
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    assert viewer.token is not None
    await anyio.to_thread.run_sync(partial(logout, session, principal, viewer.token))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, **_COOKIE_FLAGS)
    return response
