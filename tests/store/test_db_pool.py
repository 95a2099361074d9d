"""Pooled connections: the idle-time ping on PostgreSQL, and statements outside a transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import OperationalError

from db import BACKENDS, ENV, _admin, create_pg_database, drop_pg_database
from painpath.store import Clinic, lookup_engine, make_engine, session_factory
from painpath.store import _db as db_module

PG_ONLY = pytest.mark.skipif("postgresql" not in BACKENDS, reason=f"PostgreSQL only: set {ENV}")


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """painpath's engine on a new, empty PostgreSQL database."""
    url = create_pg_database("_pool")
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_pg_database(url)


@PG_ONLY
def test_a_connection_reused_at_once_is_not_pinged(pg_engine, monkeypatch):
    calls = []
    real = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda c: calls.append(1) or real(c))
    first = _backend_pid(pg_engine)  # a new connection: just opened, no ping
    second = _backend_pid(pg_engine)  # the same connection, back within IDLE_PING_S
    assert second == first
    assert calls == []


@PG_ONLY
def test_a_connection_idle_too_long_is_pinged_before_use(pg_engine, monkeypatch):
    calls = []
    real = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda c: calls.append(1) or real(c))
    first = _backend_pid(pg_engine)
    monkeypatch.setattr(db_module, "IDLE_PING_S", -1.0)  # every pooled connection is "idle"
    assert _backend_pid(pg_engine) == first  # alive: pinged, then handed out
    assert calls == [1]


@PG_ONLY
def test_a_dead_idle_connection_is_replaced_without_failing_the_request(pg_engine, monkeypatch):
    first = _backend_pid(pg_engine)
    _terminate(first)  # the server restarted, or a firewall dropped the idle socket
    monkeypatch.setattr(db_module, "IDLE_PING_S", -1.0)
    second = _backend_pid(pg_engine)
    assert second != first


@PG_ONLY
def test_a_connection_broken_while_busy_fails_that_request_and_the_next_reconnects(pg_engine):
    first = _backend_pid(pg_engine)
    _terminate(first)  # no ping: it was back in the pool a moment ago
    with pytest.raises(OperationalError), pg_engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert _backend_pid(pg_engine) != first  # the pool was discarded; no restart needed


def test_a_lookup_engine_runs_each_statement_outside_a_transaction(db_engine):
    with lookup_engine(db_engine).connect() as connection:
        connection.execute(insert(Clinic), {"name": "kept"})  # committed at once
        connection.rollback()
    with db_engine.connect() as connection:  # the usual engine: inside a transaction
        connection.execute(insert(Clinic), {"name": "rolled back"})
        connection.rollback()
    with session_factory(db_engine)() as session:
        assert session.scalars(select(Clinic.name)).all() == ["kept"]


def test_a_lookup_connection_returns_to_the_pool_in_its_usual_mode(db_engine):
    with lookup_engine(db_engine).connect() as connection:
        connection.execute(select(Clinic.id)).all()
    with session_factory(db_engine)() as session:  # the same pooled connection, next
        session.add(Clinic(name="later"))
        session.flush()
        session.rollback()
    with session_factory(db_engine)() as session:
        assert session.scalars(select(Clinic.name)).all() == []
