"""The web pages on the service's ASGI app: `create_app` = the API plus the pages.

`install(app)` adds the page routes and `/static` to an app made by `painpath.api.create_app`;
`painpath serve` serves `painpath.web:create_app`, so one process serves both, on one session
cookie. The pages call the same clinic services as the API, so the same access table and
audit log apply: a page shows only what its viewer's role may see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.staticfiles import StaticFiles

from painpath.api import create_app as create_api
from painpath.web import _dashboard, _documents, _followup, _patient, _public, _staff

__all__ = ["STATIC_DIR", "create_app", "install"]

STATIC_DIR = Path(__file__).with_name("static")


def install(app: FastAPI) -> FastAPI:
    """Add the pages and their static files to a painpath API app; returns the app."""
    for module in (_public, _patient, _staff, _followup, _documents, _dashboard):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def create_app(
    engine: Engine | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    hasher: PasswordHasher | None = None,
) -> FastAPI:
    """The painpath service with its pages (arguments as `painpath.api.create_app`)."""
    return install(create_api(engine, clock=clock, hasher=hasher))
