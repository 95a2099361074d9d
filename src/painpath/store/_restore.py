"""Reading a backup: the header, then every row checked and inserted in dependency order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError, StatementError

from painpath.errors import StoreError
from painpath.store._codec import decoder
from painpath.store._models import Base

__all__ = ["BATCH", "FORMAT", "FORMAT_VERSION", "BackupError", "read_header", "restore_lines"]

FORMAT = "painpath-backup"
FORMAT_VERSION = 1
BATCH = 500  # rows per INSERT round trip

Lines = Iterator[tuple[int, bytes]]


class BackupError(StoreError):
    """A backup that cannot be used, or a restore target that is not an empty, migrated
    database at the backup's revision. Nothing was written (exit 2)."""

    exit_code = 2


def _json(number: int, line: bytes, where: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        raise BackupError(f"line {number} is not JSON (damaged backup?)", where) from None


def read_header(lines: Lines, where: str) -> dict[str, Any]:
    """The validated header line: format, version, revision, tables (a dependency order)."""
    first = next(lines, None)
    if first is None:
        raise BackupError("empty file, not a painpath backup", where)
    try:
        header = orjson.loads(first[1])
    except orjson.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("not a painpath backup", where, f"a first line with format {FORMAT!r}")
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {header.get('format_version')!r} is not supported",
            where,
            f"version {FORMAT_VERSION}",
        )
    tables, counts = header.get("tables"), header.get("counts")
    known = Base.metadata.tables
    if (
        not isinstance(header.get("revision"), str)
        or not isinstance(tables, list)
        or not isinstance(counts, dict)
        or sorted(map(str, tables)) != sorted(known)
        or set(counts) != set(tables)
        or not all(type(n) is int and n >= 0 for n in counts.values())
    ):
        raise BackupError("the backup header is damaged or lists other tables", where)
    seen: set[str] = set()
    for name in tables:
        parents = {fk.column.table.name for fk in known[name].foreign_keys} - {name}
        if not parents <= seen:
            raise BackupError(f"table {name} comes before the tables it refers to", where)
        seen.add(name)
    return header


def restore_lines(
    connection: Connection, header: dict[str, Any], lines: Lines, where: str
) -> dict[str, int]:
    """Insert every row line; check the counts against the header. Raises `BackupError`."""
    order: list[str] = header["tables"]
    position = 0
    counts = dict.fromkeys(order, 0)
    batch: list[dict[str, Any]] = []
    batch_line = 0
    decode = decoder(Base.metadata.tables[order[0]])
    for number, line in lines:
        item = _json(number, line, where)
        if not isinstance(item, dict) or set(item) != {"table", "row"}:
            raise BackupError(f"line {number} is not a row line", where, '{"table", "row"}')
        name, row = item["table"], item["row"]
        if name != order[position]:
            if name not in order[position + 1 :]:
                raise BackupError(
                    f"line {number}: table {name!r} is unknown or out of order", where
                )
            _flush(connection, order[position], batch, batch_line, where)
            batch = []
            position = order.index(name)
            decode = decoder(Base.metadata.tables[name])
        if not isinstance(row, dict):
            raise BackupError(f"line {number}: the row is not an object", where)
        try:
            batch.append(decode(row))
        except ValueError as exc:
            raise BackupError(f"line {number}: {name}: {exc}", where) from None
        if len(batch) == 1:
            batch_line = number
        counts[name] += 1
        if len(batch) >= BATCH:
            _flush(connection, name, batch, batch_line, where)
            batch = []
    _flush(connection, order[position], batch, batch_line, where)
    for name in order:
        if counts[name] != header["counts"][name]:
            raise BackupError(
                f"table {name} has {counts[name]} rows, the header says "
                f"{header['counts'][name]} (truncated or damaged backup)",
                where,
            )
    return counts


def _flush(
    connection: Connection, name: str, batch: list[dict[str, Any]], line: int, where: str
) -> None:
    if not batch:
        return
    table: Table = Base.metadata.tables[name]
    try:
        connection.execute(table.insert(), batch)
    except (DBAPIError, StatementError) as exc:
        # The driver's first line only: the details may quote row values (PHI).
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise BackupError(
            f"the database refused the {name} rows from line {line} on ({reason})", where
        ) from None
