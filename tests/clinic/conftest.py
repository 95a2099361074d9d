"""Fixtures of the service tests: a settable clock and the test clinic world."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from ._world import Clock, World, make_world


@pytest.fixture
def clock() -> Clock:
    """A clock fixed at 2026-06-01 08:00 UTC until a test moves it."""
    return Clock()


@pytest.fixture
def world(db_engine: Engine, clock: Clock) -> World:
    """Two clinics with every role and three patients, on the test database."""
    return make_world(db_engine, clock)
