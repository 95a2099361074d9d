"""The ASGI application: `create_app(engine)` wires routes, errors and middleware.

The app keeps no state of its own between requests: sessions, tokens, rate limits and the
audit log live in the database, so any number of workers or hosts can serve one database.
Every route is named after its operation in `painpath.clinic.ACCESS`; `create_app` refuses
to build an app with a route the access table does not know.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import anyio.to_thread
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import Engine

import painpath
from painpath.api import (
    _routes_admin,
    _routes_auth,
    _routes_cds,
    _routes_dashboard,
    _routes_episodes,
    _routes_interop,
    _routes_outcomes,
    _routes_patients,
    _routes_records,
)
from painpath.api._errors import install_error_handlers
from painpath.api._middleware import AccessLog, BodyLimit, CatchAll, SecurityHeaders
from painpath.clinic import ACCESS, HASHER, utcnow
from painpath.errors import InputError
from painpath.knowledge import load_knowledge
from painpath.store import lookup_engine, make_engine, session_factory

__all__ = ["BODY_LIMIT_ENV", "MAX_BODY_BYTES", "WORKER_THREADS", "body_limit", "create_app"]

MAX_BODY_BYTES = 5 * 1024 * 1024
"""The largest request body accepted by default (413 beyond); `PAINPATH_MAX_BODY_BYTES`
sets another limit."""

BODY_LIMIT_ENV = "PAINPATH_MAX_BODY_BYTES"


def body_limit() -> int:
    """The request body limit: `PAINPATH_MAX_BODY_BYTES` (bytes, >= 1024) or 5 MiB."""
    text = os.environ.get(BODY_LIMIT_ENV, "").strip()
    if not text:
        return MAX_BODY_BYTES
    if not text.isdigit() or int(text) < 1024:
        raise InputError("not a byte count of at least 1024", BODY_LIMIT_ENV, "e.g. 5242880")
    return int(text)


_DESCRIPTION = """Explainable decision support for interventional pain medicine.

Sign in with `POST /auth/token` (OAuth2 password form) and send
`Authorization: Bearer <token>`. Every error is `{"error": {"code", "message", "field"}}`.
Every read and write of patient data is audited.
"""


log = logging.getLogger("painpath.api")

WORKER_THREADS = 2
"""Threads per server process for route code (and the dependencies that use the database).
On the 2-core reference VM, 2 sustained more assessments per second than 4 or 40, with a
lower p99, on SQLite and PostgreSQL (docs/benchmarks.md); a request waiting for its turn
waits on the event loop, which keeps accepting connections."""


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Once per server process, before its first request (not run by in-process clients).

    Loads the knowledge base (else the first assessment pays for it), then `gc.freeze()`:
    the objects of the imported modules and the knowledge base live as long as the process,
    and without it every full garbage collection walks them all again, stopping the worker
    for 100-170 ms (measured on the 2-core reference VM) every few hundred requests.

    Then at most `WORKER_THREADS` requests run their (synchronous) route code at once. The
    work is CPU-bound Python: AnyIO's default of 40 threads only makes them take turns on
    the GIL, and on SQLite queue up for the write lock, which costs CPU and latency.
    """
    try:
        load_knowledge()
    except Exception as exc:  # the first assessment will report it, as without this
        log.error("knowledge base not loaded at startup (%s)", type(exc).__name__)
    gc.freeze()
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


_ROUTERS = (
    _routes_auth,
    _routes_patients,
    _routes_episodes,
    _routes_records,
    _routes_admin,
    _routes_outcomes,
    _routes_dashboard,
    _routes_interop,
)


def _operation_id(route: APIRoute) -> str:
    """The OpenAPI operationId of a route: its operation name (`patient.read`)."""
    return route.name


def create_app(
    engine: Engine | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    hasher: PasswordHasher | None = None,
    max_body_bytes: int | None = None,
) -> FastAPI:
    """The painpath HTTP API on `engine` (default: `painpath.store.make_engine()`).

    Args:
        engine: the database; the caller migrates it (`painpath serve` does).
        clock: the source of the current instant (tests pass a fixed clock).
        hasher: the argon2 password hasher (default: `painpath.clinic.HASHER`).
        max_body_bytes: the request body limit (default: `body_limit()`, from the
            environment).
    """
    app = FastAPI(
        title="painpath",
        version=painpath.__version__,
        description=_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        lifespan=_lifespan,
    )
    app.state.engine = engine if engine is not None else make_engine()
    app.state.sessions = session_factory(app.state.engine)
    # The same pool, each statement on its own (`api._deps.signed_in_as`, `GET /health`).
    app.state.lookups = lookup_engine(app.state.engine)
    app.state.clock = clock or utcnow
    app.state.hasher = hasher or HASHER
    for module in _ROUTERS:
        routes = [r for r in module.router.routes if isinstance(r, APIRoute)]
        unknown = [r.name for r in routes if r.name not in ACCESS]
        if unknown:
            raise RuntimeError(f"routes without an access rule: {', '.join(unknown)}")
        app.include_router(module.router)
    app.include_router(_routes_cds.router)  # EHR JWTs, not ACCESS: see _routes_cds
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=max_body_bytes or body_limit())
    app.add_middleware(SecurityHeaders)
    app.add_middleware(CatchAll)
    app.add_middleware(AccessLog)
    return app
