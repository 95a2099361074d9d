"""Where the database is, how to connect to it, and one unit of work.

The embedded default is a SQLite file, `painpath.db` under `PAINPATH_HOME` (default `./var`),
in WAL mode so readers never wait for the writer. `PAINPATH_DATABASE_URL` points at
PostgreSQL for a real clinic (`postgresql://...` is served by psycopg 3).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool

from painpath.errors import ConflictError, InputError

__all__ = [
    "BUSY_TIMEOUT_MS",
    "IDLE_PING_S",
    "commit",
    "database_url",
    "json_loads",
    "lookup_engine",
    "make_engine",
    "normalise_url",
    "session_factory",
    "transaction",
]

BUSY_TIMEOUT_MS = 30_000  # a SQLite writer waits this long for another writer, then fails
IDLE_PING_S = 2.0
"""A pooled PostgreSQL connection idle longer than this is pinged before it is handed out."""


def normalise_url(url: str) -> str:
    """The URL with `postgresql://` / `postgres://` mapped to the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            "not a database URL", "PAINPATH_DATABASE_URL", "postgresql://..."
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def database_url() -> str:
    """`PAINPATH_DATABASE_URL` if set, else the SQLite file `$PAINPATH_HOME/painpath.db`."""
    url = os.environ.get("PAINPATH_DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    home = Path(os.environ.get("PAINPATH_HOME", "").strip() or "var").resolve()
    home.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite", database=str(home / "painpath.db")).render_as_string()


_DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))  # digit -> "0"
_LONG_NUMBER = b"0" * 19  # 19 digits in a row: perhaps an integer beyond 64 bits


def json_loads(text: str | bytes) -> Any:
    """A JSON column's value, the same as `json.loads(text)` gives, but read with orjson
    (several times faster on large FHIR records) wherever orjson gives the same values.

    orjson reads an integer beyond 64 bits as a float, and refuses NaN, lone surrogates and
    encodings other than UTF-8: text with 19 digits in a row (found with a byte translation,
    much faster than a regular expression), or that orjson refuses, goes to `json.loads`.
    """
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if _LONG_NUMBER not in data.translate(_DIGITS):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable in WAL mode except on power loss
    finally:
        cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default `database_url()`), configured for this backend.

    SQLite: WAL journal, foreign keys enforced, a busy timeout, usable from any thread
    (a connection pool per engine; `sqlite://` is one in-memory connection, not for threads).
    PostgreSQL (psycopg 3): a pooled connection is checked before use when it may have gone
    stale (`_check_on_checkout`). JSON columns are read with `json_loads` (orjson); they are
    written by SQLAlchemy's default, `json.dumps`.
    """
    target = make_url(normalise_url(url or database_url()))
    if target.get_backend_name() == "sqlite":
        args = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        if target.database in (None, "", ":memory:") or target.query.get("mode") == "memory":
            # One connection to one in-memory database: single-threaded scripts and tests only.
            engine = create_engine(
                target, connect_args=args, poolclass=StaticPool, json_deserializer=json_loads
            )
        else:  # a pool of 5 (+10 overflow)
            engine = create_engine(target, connect_args=args, json_deserializer=json_loads)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # 5 (+10) connections per process
    engine = create_engine(target, json_deserializer=json_loads)
    event.listen(engine, "connect", _mark_idle)
    event.listen(engine, "checkin", _mark_idle)
    event.listen(engine, "checkout", _check_on_checkout(engine))
    return engine


def _mark_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _check_on_checkout(engine: Engine) -> Any:
    """A pool `checkout` listener: hand out a connection only if it is likely alive.

    A connection the driver already knows is broken is replaced. One that sat idle in the
    pool for more than `IDLE_PING_S` (or whose idle time is unknown) is pinged first, a
    `SELECT 1` outside any transaction: the server may have restarted, or a firewall may
    have dropped the idle socket. Under steady traffic connections come back within
    milliseconds, so the ping's round trip is not paid on every request, as SQLAlchemy's
    `pool_pre_ping` would. A connection that breaks while in use (the server stopped under
    load) fails that request with a disconnect error, which makes SQLAlchemy discard every
    connection of the pool opened before it: the API answers 503 and the next request
    connects afresh. Raising `DisconnectionError` here makes the pool replace the
    connection and try again.
    """

    def listener(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if getattr(dbapi_connection, "closed", False):
            raise DisconnectionError("connection closed")
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since <= IDLE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("connection failed its ping") from exc

    return listener


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def lookup_engine(engine: Engine) -> Engine:
    """`engine` with each statement committed on its own: the same pool, no BEGIN and no
    COMMIT round trip. For short read-only lookups made on every request (who is calling,
    is the database up) on a connection of their own, given back at once; the connection
    returns to the pool with its usual isolation level restored."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def commit(session: Session) -> None:
    """Commit; a stale optimistic version becomes `ConflictError` (after a rollback)."""
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise ConflictError(
            "changed by someone else since it was read", _stale_where(exc), "the current version"
        ) from None


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: a new session, committed on success, rolled back on any error.

    A stale optimistic version (another writer got there first) raises `ConflictError`.
    """
    with factory() as session:
        try:
            yield session
            commit(session)
        except StaleDataError as exc:
            session.rollback()
            raise ConflictError(
                "changed by someone else since it was read",
                _stale_where(exc),
                "the current version",
            ) from None
        except BaseException:
            session.rollback()
            raise


def _stale_where(exc: StaleDataError) -> str:
    """The table named in SQLAlchemy's message ("... on table 'episode' ..."), no values."""
    found = re.search(r"on table '(\w+)'", str(exc))
    return found.group(1) if found else "row"
