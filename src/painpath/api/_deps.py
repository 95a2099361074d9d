"""Request dependencies: the database session, the clock, and who is calling.

A caller signs in with a bearer token (`Authorization: Bearer ...`) or the web-session
cookie; with the cookie, every state-changing request must carry the session's CSRF token
(`X-CSRF-Token` header). A request without valid credentials is audited (when its
operation is) and refused with 401.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from painpath.clinic import (
    ACCESS,
    Principal,
    SignedIn,
    TokenRef,
    audit_event,
    record_alone,
    signed_in,
    verify_csrf,
)
from painpath.errors import AccessDenied, AuthError

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
    "signed_in_as",
]

COOKIE = "painpath_session"
"""The web-session cookie (Secure, HttpOnly, SameSite=Lax)."""

CSRF_HEADER = "x-csrf-token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A database session for this request, closed (and rolled back if open) afterwards.

    `async` so that FastAPI does not send it to the thread pool twice per request: making
    a session does no I/O, and neither does closing one without an open transaction (the
    usual case: every operation commits). Only a rollback goes to a thread.
    """
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
    finally:
        if session.in_transaction():  # holds a connection: the rollback talks to the database
            # As FastAPI closes sync dependencies: shielded, and on a limiter of its own, so
            # that a full thread pool (requests waiting for a pooled connection) cannot keep
            # this session from giving its connection back.
            with CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close, limiter=CapacityLimiter(1))
        else:
            session.close()


async def get_now(request: Request) -> datetime:
    """The current instant from the app's clock (tests inject their own).

    `async` because it never waits: FastAPI then calls it on the event loop instead of
    handing it to the thread pool (a thread round trip on every request)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def client_ip(request: Request) -> str | None:
    """The address the request came from (as the server saw it)."""
    return request.client.host if request.client else None


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal and the token or session it signed in with."""

    principal: Principal
    token: TokenRef


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


def signed_in_as(request: Request, secret: str, kind: str, now: datetime) -> SignedIn | None:
    """Who holds this secret: one statement on a connection of its own, outside any
    transaction (no BEGIN or COMMIT round trip), given back to the pool before returning.

    Not on the request's session: a request must not hold a pooled connection while it
    waits for a worker thread. Otherwise, with more requests in flight than pooled
    connections, every worker thread could end up waiting for a connection held by a
    request that waits for a thread: a deadlock until the pool's 30 s timeout.
    """
    lookups: Engine = request.app.state.lookups
    with lookups.connect() as connection:
        return signed_in(connection, secret, kind=kind, now=now, source_ip=client_ip(request))


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
        found = signed_in_as(request, bearer.strip(), "bearer", now)
        if found is None:
            raise _refuse(session, request, now, "invalid or expired token")
    else:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise _refuse(session, request, now, "not signed in")
        found = signed_in_as(request, cookie, "session", now)
        if found is None:
            raise _refuse(session, request, now, "invalid or expired session")
        if request.method not in _SAFE and not verify_csrf(
            found.token, request.headers.get(CSRF_HEADER)
        ):
            rule = ACCESS.get(_operation(request))
            record_alone(
                session,
                audit_event(
                    found.principal,
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
    return Caller(found.principal, found.token)


CallerDep = Annotated[Caller, Depends(get_caller)]
