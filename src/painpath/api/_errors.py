"""Every error as `{"error": {"code", "message", "field"}}`, by one table of classes.

`STATUS` maps each painpath error class to its HTTP status and code (the most specific class
wins). Database outages become 503 (`unavailable`, or `storage-full` when its disk is
full); anything unexpected is a 500 that says nothing about the internals. Logs carry the
class name and the route, never request data.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from painpath.errors import (
    AccessDenied,
    AuthError,
    ConflictError,
    FhirInputError,
    InputError,
    KnowledgeError,
    NotFound,
    PainpathError,
    PathwayError,
    RateLimited,
    StoreError,
)

__all__ = ["STATUS", "error_response", "install_error_handlers"]

log = logging.getLogger("painpath.api")

STATUS: dict[type[PainpathError], tuple[int, str]] = {
    FhirInputError: (400, "invalid-fhir"),
    InputError: (400, "bad-input"),
    PathwayError: (422, "pathway"),
    AuthError: (401, "unauthenticated"),
    AccessDenied: (403, "forbidden"),
    NotFound: (404, "not-found"),
    ConflictError: (409, "conflict"),
    RateLimited: (429, "rate-limited"),
    StoreError: (503, "unavailable"),
    KnowledgeError: (500, "internal"),
    PainpathError: (500, "internal"),
}
"""Error class -> (HTTP status, error code); looked up along the class's MRO."""

_HTTP_CODES = {400: "bad-input", 404: "not-found", 405: "method-not-allowed", 413: "too-large"}
_DB_DOWN = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The one error shape."""
    body = {"error": {"code": code, "message": message, "field": field}}
    return JSONResponse(body, status_code=status, headers=headers)


def _painpath(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PainpathError)
    status, code = next(STATUS[k] for k in type(exc).__mro__ if k in STATUS)
    headers: dict[str, str] = {}
    field = exc.where
    if isinstance(exc, PathwayError):
        code, field = exc.code, exc.field or exc.where
    if isinstance(exc, AuthError):
        headers["WWW-Authenticate"] = 'Bearer realm="painpath"'
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if status >= 500:
        log.error("%s on %s", type(exc).__name__, _route(request))
        return error_response(status, code, "internal error")
    return error_response(status, code, exc.message, field, headers)


def _route(request: Request) -> str:
    route: Any = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', '?')}"


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
    loc = ".".join(str(part) for part in first.get("loc", ()))
    message = f"{loc}: {first.get('msg', 'invalid request')}" if loc else "invalid request"
    return error_response(422, "invalid-request", message, loc or None)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http-error")
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return error_response(exc.status_code, code, detail, headers=dict(exc.headers or {}))


_FULL = ("database or disk is full", "no space left on device", "could not extend file")


def _storage_full(exc: Exception) -> bool:
    """SQLite's SQLITE_FULL or PostgreSQL's disk_full (53100), from the driver's message."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(marker in text for marker in _FULL)


def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    if _storage_full(exc):
        log.error("database storage full (%s) on %s", type(exc).__name__, _route(request))
        return error_response(
            503,
            "storage-full",
            "the database's disk is full; nothing was saved (free space, then try again)",
            headers={"Retry-After": "60"},
        )
    log.error("database unavailable (%s) on %s", type(exc).__name__, _route(request))
    return error_response(
        503, "unavailable", "the database is not reachable; try again", headers={"Retry-After": "5"}
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(PainpathError, _painpath)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    for kind in _DB_DOWN:
        app.add_exception_handler(kind, _unavailable)
