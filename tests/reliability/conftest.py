"""Fixtures of the reliability tests: the API tests' app, client, clock and world, and the
served app (the API with its web pages, `painpath.web:create_app`) on the same database."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from api.conftest import app, client, clock, world
from clinic._world import FAST, Clock
from painpath.web import create_app as create_web_app

__all__ = ["app", "client", "clock", "web_app", "world"]


@pytest.fixture
def web_app(db_engine: Engine, clock: Clock) -> FastAPI:
    """The app `painpath serve` runs: the API and the pages, reading the test clock."""
    return create_web_app(db_engine, clock=clock, hasher=FAST)
