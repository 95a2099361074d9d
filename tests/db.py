"""Database fixtures for every test that needs one (registered in tests/conftest.py).

Each test gets a fresh, migrated, empty database, once per backend:

- `sqlite` always: a copy of a template file migrated once per test session;
- `postgresql` when `PAINPATH_TEST_DATABASE_URL` is set (e.g.
  `postgresql://postgres@127.0.0.1:5432/test`): a database `painpath_t_<worker>_<random>` is
  created through that URL and migrated once per session (per xdist worker), emptied before
  each test (rows deleted, id sequences restarted at 1), and dropped at the end.

Fixtures: `db_backend` ("sqlite" | "postgresql", the parametrization), `db_url`, `db_engine`,
`db_session`; `db_blank_url` (an empty, never-migrated database on the same backend) and
`db_sqlite_engine` (a factory of extra migrated SQLite databases, for cross-backend tests).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from painpath.store import Base, make_engine, normalise_url, session_factory, upgrade

ENV = "PAINPATH_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"] if os.environ.get(ENV, "").strip() else ["sqlite"]


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def pg_url(database: str) -> str:
    """`PAINPATH_TEST_DATABASE_URL` pointed at another database on the same server."""
    url = make_url(normalise_url(os.environ[ENV])).set(database=database)
    return url.render_as_string(hide_password=False)


def _admin() -> Engine:
    return create_engine(normalise_url(os.environ[ENV]), isolation_level="AUTOCOMMIT")


def create_pg_database(tag: str = "") -> str:
    """Create an empty PostgreSQL database with a unique name; return its URL."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"painpath_t_{worker}_{secrets.token_hex(4)}{tag}".lower()
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return pg_url(name)


def drop_pg_database(url: str) -> None:
    """Drop a database made by `create_pg_database`, closing any connection left to it."""
    name = make_url(url).database
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def empty_tables(engine: Engine) -> None:
    """Empty every table of a PostgreSQL database and restart its id sequences.

    DELETE of the tables that have rows (children first) is ~50x faster than TRUNCATE of all
    of them; `audit_event`, whose trigger refuses DELETE, is truncated when it has rows.
    """
    tables = Base.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    restart = ", ".join(
        f"setval(pg_get_serial_sequence('\"{t.name}\"', '{t.autoincrement_column.name}'), 1, false)"
        for t in tables
        if t.autoincrement_column is not None
    )
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))  # a leaked session: fail
        filled = set(connection.exec_driver_sql(probe).scalars())
        for table in reversed(tables):
            if table.name in filled:
                verb = "TRUNCATE" if table.name == "audit_event" else "DELETE FROM"
                connection.exec_driver_sql(f'{verb} "{table.name}"')
        connection.exec_driver_sql(f"SELECT {restart}")


@pytest.fixture(scope="session")
def _db_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db-template") / "painpath.db"
    engine = make_engine(sqlite_url(path))
    try:
        upgrade(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="session")
def _db_pg_session() -> Iterator[tuple[str, Engine]]:
    url = create_pg_database()
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield url, engine
    finally:
        engine.dispose()
        drop_pg_database(url)


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: `sqlite`, and `postgresql` when PAINPATH_TEST_DATABASE_URL is set."""
    backend: str = request.param
    return backend


@pytest.fixture
def db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, migrated, empty database for this test."""
    if db_backend == "sqlite":
        target = tmp_path / "painpath.db"
        shutil.copyfile(request.getfixturevalue("_db_sqlite_template"), target)
        return sqlite_url(target)
    url, engine = request.getfixturevalue("_db_pg_session")
    empty_tables(engine)
    return str(url)


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine (painpath's own configuration) on a fresh, migrated, empty database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session on `db_engine` (expire_on_commit=False), closed after the test."""
    with session_factory(db_engine)() as session:
        yield session


@pytest.fixture
def db_blank_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database that was never migrated, on the same backend as `db_engine`."""
    if db_backend == "sqlite":
        yield sqlite_url(tmp_path / "blank.db")
        return
    url = create_pg_database("_blank")
    yield url
    drop_pg_database(url)


@pytest.fixture
def db_sqlite_engine(_db_sqlite_template: Path, tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """A factory of extra fresh, migrated SQLite databases (each disposed after the test)."""
    made: list[Engine] = []

    def make() -> Engine:
        target = tmp_path / f"extra-{len(made)}.db"
        shutil.copyfile(_db_sqlite_template, target)
        made.append(make_engine(sqlite_url(target)))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()
