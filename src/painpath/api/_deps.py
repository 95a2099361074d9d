"""Request dependencies: the database session, the clock, and who is calling.

A caller signs in with a bearer token (`Authorization: Bearer ...`) or the web-session
cookie; with the cookie, every state-changing request must carry the session's CSRF token
(`X-CSRF-Token` header). A request without valid credentials is audited (when its
operation is) and refused with 401.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from painpath.clinic import (
    ACCESS,
    Principal,
    audit_event,
    record_alone,
    session_user,
    token_user,
    verify_csrf,
)
from painpath.errors import AccessDenied, AuthError
from painpath.store import AuthToken

__all__ = [
    "COOKIE",
    "CSRF_HEADER",
    "Caller",
    "CallerDep",
    "NowDep",
    "SessionDep",
    "client_ip",
    "get_caller",
    "get_now",
    "get_session",
]

COOKIE = "painpath_session"
"""The web-session cookie (Secure, HttpOnly, SameSite=Lax)."""

CSRF_HEADER = "x-csrf-token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """A database session for this request, closed (and rolled back if open) afterwards."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


def get_now(request: Request) -> datetime:
    """The current instant from the app's clock (tests inject their own)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def client_ip(request: Request) -> str | None:
    """The address the request came from (as the server saw it)."""
    return request.client.host if request.client else None


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal and the token or session row it used."""

    principal: Principal
    token: AuthToken


def _operation(request: Request) -> str:
    route: Any = request.scope.get("route")
    return str(getattr(route, "name", ""))


def _refuse(session: Session, request: Request, now: datetime, why: str) -> AuthError:
    operation = _operation(request)
    rule = ACCESS.get(operation)
    if rule is not None and rule.audited:
        patient = request.path_params.get("patient_id")
        event = audit_event(
            None,
            rule.action,
            operation,
            "denied",
            patient_id=patient,
            detail=why,
            now=now,
            source_ip=client_ip(request),
        )
        record_alone(session, event)
    return AuthError(why, "Authorization", "a bearer token or a signed-in session")


_BEARER = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def get_caller(
    request: Request,
    session: SessionDep,
    now: NowDep,
    bearer: Annotated[str | None, Depends(_BEARER)],
) -> Caller:
    """The signed-in caller, from the bearer token or the session cookie; else 401."""
    if request.headers.get("authorization"):
        if not bearer:
            raise _refuse(session, request, now, "malformed Authorization header")
        found = token_user(session, bearer.strip(), kind="bearer", now=now)
        if found is None:
            raise _refuse(session, request, now, "invalid or expired token")
    else:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise _refuse(session, request, now, "not signed in")
        found = session_user(session, cookie, now=now)
        if found is None:
            raise _refuse(session, request, now, "invalid or expired session")
        if request.method not in _SAFE and not verify_csrf(
            found[1], request.headers.get(CSRF_HEADER)
        ):
            who = Principal.of(found[0], client_ip(request))
            rule = ACCESS.get(_operation(request))
            record_alone(
                session,
                audit_event(
                    who,
                    rule.action if rule else "update",
                    _operation(request),
                    "denied",
                    patient_id=request.path_params.get("patient_id"),
                    detail="missing or wrong CSRF token",
                    now=now,
                ),
            )
            raise AccessDenied(
                "missing or wrong CSRF token", CSRF_HEADER, "the csrf_token given at login"
            )
    user, token = found
    return Caller(Principal.of(user, client_ip(request)), token)


CallerDep = Annotated[Caller, Depends(get_caller)]
