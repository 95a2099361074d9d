"""Migrations: up from empty on both backends, schema equals the models, audit append-only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, delete, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from painpath.store import (
    AuditEvent,
    Base,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)
from painpath.store._migrate import MIGRATIONS

TABLES = set(Base.metadata.tables)


def _diff(engine, metadata=Base.metadata):
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def test_migrations_ship_inside_the_package():
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert head_revision() == "0006_stored_chart"


def test_upgrade_from_empty_is_repeatable_and_downgrade_removes_everything(db_blank_url):
    engine = make_engine(db_blank_url)
    try:
        assert current_revision(engine) is None
        upgrade(db_blank_url)  # a URL works too
        assert current_revision(engine) == head_revision()
        assert TABLES | {"alembic_version"} == set(inspect(engine).get_table_names())
        upgrade(engine)  # a second run changes nothing
        assert current_revision(engine) == head_revision()
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)  # the triggers (and PostgreSQL's plpgsql function) come back cleanly
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(db_engine):
    assert _diff(db_engine) == []


def test_schema_comparison_notices_a_difference(db_engine):
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["clinic"].c.name.type = String(100)
    changed.tables["clinic"].append_column(Column("extra", Integer, nullable=True))
    kinds = {d[0] if isinstance(d, tuple) else d[0][0] for d in _diff(db_engine, changed)}
    assert kinds == {"add_column", "modify_type"}


def _audit_row(connection):
    connection.execute(
        insert(AuditEvent),
        {
            "at": datetime(2026, 6, 1, tzinfo=UTC),
            "action": "read",
            "resource": "x",
            "outcome": "allowed",
        },
    )


@pytest.mark.parametrize(
    "change",
    [
        update(AuditEvent).values(outcome="denied"),
        delete(AuditEvent),
    ],
    ids=["update", "delete"],
)
def test_audit_events_are_append_only(db_engine, change):
    with db_engine.begin() as connection:
        _audit_row(connection)
        _audit_row(connection)  # inserts are allowed
    with pytest.raises(IntegrityError, match="append-only"), db_engine.begin() as connection:
        connection.execute(change)
    with db_engine.connect() as connection:
        outcomes = connection.execute(select(AuditEvent.outcome)).scalars().all()
    assert outcomes == ["allowed", "allowed"]
