"""Fixtures of the reliability tests: the API tests' app, client, clock and world."""

from __future__ import annotations

from api.conftest import app, client, clock, world

__all__ = ["app", "client", "clock", "world"]
