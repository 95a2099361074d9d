"""Backup and restore: every row of every table as JSON lines, portable across backends.

Line 1 is a header: `{"format": "painpath-backup", "format_version": 1, "revision", "tables",
"counts", ...}`; then one line per row, `{"table": ..., "row": {column: value}}`, tables in
dependency order, rows in primary-key order (value encodings: `_codec.py`). A file named
`*.gz` is gzip-compressed. A SQLite backup restores into PostgreSQL and vice versa.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import orjson
from sqlalchemy import Connection, Engine, Table, func, literal, select, text
from sqlalchemy.exc import SQLAlchemyError

from painpath.errors import StoreError
from painpath.store._codec import encoder
from painpath.store._migrate import current_revision, head_revision
from painpath.store._models import Base
from painpath.store._restore import (
    FORMAT,
    FORMAT_VERSION,
    BackupError,
    read_header,
    restore_lines,
)

__all__ = ["BackupError", "backup", "backup_header", "restore"]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection that sees one consistent state of every table."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as connection:
            yield connection
        return
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # deferred: the first read fixes the snapshot
        yield connection


def _open_write(path: Path, zipped: bool) -> IO[bytes]:
    if zipped:
        return cast(IO[bytes], gzip.open(path, "wb", compresslevel=6))
    return path.open("wb")


def backup(engine: Engine, path: str | os.PathLike[str]) -> dict[str, int]:
    """Write every row of every table to `path`; return the row count of each table.

    The database must be at this painpath's migration head (else `BackupError`: back up with
    the painpath that matches it, or `painpath db upgrade` first). The file is written beside
    `path` and renamed into place, so a failed backup never leaves a partial file.
    """
    target = Path(path)
    revision = current_revision(engine)
    if revision != head_revision():
        raise BackupError(
            f"the database is at revision {revision}, this painpath at {head_revision()}",
            "backup",
            "`painpath db upgrade` first",
        )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with _snapshot(engine) as connection, _open_write(tmp, target.suffix == ".gz") as out:
            counts = _write(connection, out, revision)
        os.replace(tmp, target)
    except OSError as exc:
        raise StoreError(f"cannot write the backup ({exc.strerror})", str(target)) from None
    except SQLAlchemyError as exc:
        raise StoreError(f"the database failed during the backup ({type(exc).__name__})") from exc
    except orjson.JSONEncodeError as exc:  # e.g. an integer beyond 64 bits in a JSON column
        raise StoreError(f"a value cannot be written as JSON ({exc})", "backup") from None
    finally:
        tmp.unlink(missing_ok=True)
    return counts


def _write(connection: Connection, out: IO[bytes], revision: str) -> dict[str, int]:
    tables = _tables()
    counts = {
        str(t.name): int(connection.execute(select(func.count()).select_from(t)).scalar_one())
        for t in tables
    }
    header: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "revision": revision,
        "created_at": datetime.now(UTC).isoformat(),
        "source": connection.dialect.name,
        "tables": [str(t.name) for t in tables],
        "counts": counts,
    }
    out.write(orjson.dumps(header) + b"\n")
    for table in tables:
        encode = encoder(table)
        query = select(table).order_by(*table.primary_key.columns)
        rows = connection.execution_options(yield_per=1000).execute(query).mappings()
        written = 0
        for row in rows:
            out.write(orjson.dumps({"table": str(table.name), "row": encode(dict(row))}) + b"\n")
            written += 1
        if written != counts[str(table.name)]:  # pragma: no cover - the snapshot forbids it
            raise StoreError(f"{table.name} changed during the backup", "backup")
    return counts


def _read_lines(path: Path) -> Generator[tuple[int, bytes], None, None]:
    """(line number, line) for each non-blank line; gzip detected by its magic bytes."""
    try:
        with path.open("rb") as probe:
            zipped = probe.read(2) == b"\x1f\x8b"
        opener = gzip.open if zipped else open
        with opener(path, "rb") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield number, line
    except OSError as exc:  # gzip.BadGzipFile is an OSError
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise BackupError(f"cannot read the backup ({reason})", str(path)) from None
    except EOFError:
        raise BackupError("the compressed backup is truncated", str(path)) from None


def backup_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The checked header of a backup file (format, revision, tables, counts, created_at...).

    Raises `BackupError` if the file cannot be read or is not a painpath backup.
    """
    lines = _read_lines(Path(path))
    try:
        return read_header(lines, str(path))
    finally:
        lines.close()


def restore(engine: Engine, path: str | os.PathLike[str]) -> dict[str, int]:
    """Load a backup into an empty database migrated to the same revision, all or nothing.

    Refused with `BackupError` (nothing written) if the file is not a painpath backup, is
    damaged or truncated, or the database is not migrated, at another revision or not empty.
    Returns the row count of each table. On PostgreSQL the id sequences continue after the
    restored rows.
    """
    source = Path(path)
    lines = _read_lines(source)
    try:
        header = read_header(lines, str(source))
        with engine.begin() as connection:
            _check_revision(connection, header["revision"], str(source))
            _lock(connection)
            _check_empty(connection)
            counts = restore_lines(connection, header, lines, str(source))
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection)
    except SQLAlchemyError as exc:
        raise StoreError(f"the database failed during the restore ({type(exc).__name__})") from exc
    finally:
        lines.close()
    return counts


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _lock(connection: Connection) -> None:
    """Keep other writers out from the emptiness check to the commit."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        names = ", ".join(_quote(connection, t.name) for t in _tables())
        connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")


def _check_revision(connection: Connection, revision: str, where: str) -> None:
    """The backup and the database must both be at this painpath's migration head."""
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    if revision != head:
        raise BackupError(
            f"the backup is at revision {revision}, this painpath at {head}",
            where,
            "a backup made by a painpath with the same migrations",
        )
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        raise BackupError("the database is not migrated", "restore", "`painpath db upgrade` first")
    if current != head:
        raise BackupError(
            f"the database is at revision {current}, this painpath at {head}",
            "restore",
            "`painpath db upgrade` first",
        )


def _check_empty(connection: Connection) -> None:
    filled = [
        str(t.name)
        for t in _tables()
        if connection.execute(select(literal(1)).select_from(t).limit(1)).first() is not None
    ]
    if filled:
        raise BackupError(
            f"the database is not empty ({', '.join(filled)} have rows)",
            "restore",
            "an empty, migrated database",
        )


def _reset_sequences(connection: Connection) -> None:
    """Make PostgreSQL's id sequences continue after the highest restored id."""
    for table in _tables():
        column = table.autoincrement_column
        if column is None:
            continue
        name, col = _quote(connection, table.name), _quote(connection, column.name)
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE((SELECT MAX({col}) FROM {name}), 0) + 1, false)"
            ),
            {"table": name, "column": column.name},
        )
