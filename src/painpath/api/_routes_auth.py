"""Signing in and out, the signed-in account, and the health check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import Engine, text

from painpath.api._deps import COOKIE, CallerDep, NowDep, SessionDep, client_ip
from painpath.api._models import ErrorBody, Health, LoginOut, TokenOut, UserOut
from painpath.clinic import login, logout, me

__all__ = ["router"]

router = APIRouter(tags=["auth"])

Form = Annotated[OAuth2PasswordRequestForm, Depends()]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Wrong email or password."},
    429: {"model": ErrorBody, "description": "Too many failed logins (see Retry-After)."},
}


@router.get(
    "/health",
    name="health",
    response_model=Health,
    tags=["service"],
    responses={503: {"model": ErrorBody}},
)
def health(request: Request) -> dict[str, str]:
    """`{"status": "ok"}` when the database answers; 503 otherwise."""
    # One statement outside a transaction, on a connection given back before the response
    # is validated on another worker thread (a request must not hold a pooled connection
    # while it waits for a thread: with more health checks in flight than pooled
    # connections, that deadlocks until the pool's 30 s timeout).
    lookups: Engine = request.app.state.lookups
    with lookups.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.post("/auth/token", name="auth.token", response_model=TokenOut, responses=_ERRORS)
def token(form: Form, request: Request, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """OAuth2 password flow: `username` (the email) and `password` -> a bearer token."""
    result = login(
        session,
        form.username,
        form.password,
        kind="bearer",
        source_ip=client_ip(request),
        now=now,
        hasher=request.app.state.hasher,
    )
    seconds = int((result.expires_at - now).total_seconds())
    return {"access_token": result.secret, "token_type": "bearer", "expires_in": seconds}


@router.post("/auth/login", name="auth.login", response_model=LoginOut, responses=_ERRORS)
def web_login(
    form: Form, request: Request, response: Response, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Start a web session: sets the session cookie and returns its CSRF token."""
    result = login(
        session,
        form.username,
        form.password,
        kind="session",
        source_ip=client_ip(request),
        now=now,
        hasher=request.app.state.hasher,
    )
    response.set_cookie(
        COOKIE,
        result.secret,
        max_age=int((result.expires_at - now).total_seconds()),
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return {"csrf_token": result.csrf_token, "expires_at": result.expires_at, "user": result.user}


@router.post(
    "/auth/logout", name="auth.logout", status_code=204, responses={401: {"model": ErrorBody}}
)
def web_logout(caller: CallerDep, session: SessionDep, response: Response) -> Response:
    """End the session or revoke the bearer token used; clears the session cookie."""
    logout(session, caller.principal, caller.token)
    response.status_code = 204
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.get("/me", name="account.me", response_model=UserOut, responses={401: {"model": ErrorBody}})
def whoami(caller: CallerDep, session: SessionDep) -> dict[str, Any]:
    """The signed-in account."""
    return me(session, caller.principal)
