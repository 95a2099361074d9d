"""Fixtures of the API tests: the real app on the test database, and a client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from clinic._world import FAST, Clock, World, make_world
from painpath.api import create_app

from ._client import ApiClient


@pytest.fixture
def clock() -> Clock:
    """A clock fixed at 2026-06-01 08:00 UTC until a test moves it."""
    return Clock()


@pytest.fixture
def world(db_engine: Engine, clock: Clock) -> World:
    """Two clinics with every role and three patients, on the test database."""
    return make_world(db_engine, clock)


@pytest.fixture
def app(db_engine: Engine, clock: Clock) -> FastAPI:
    """The real painpath app on the test database, reading the test clock."""
    return create_app(db_engine, clock=clock, hasher=FAST)


@pytest.fixture
def client(app: FastAPI) -> Iterator[ApiClient]:
    """A client of the app (HTTPS base URL, so secure cookies are sent back)."""
    client = ApiClient(app)
    yield client
    client.close()
