"""Restore refuses what it cannot do completely, and then writes nothing at all."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime

import pytest

from painpath.store import BackupError, Base, Clinic, backup, make_engine, restore, session_factory

from ._sample import LOGIN_ATTEMPTS, at_revision, counts, fill

EMPTY = dict.fromkeys(Base.metadata.tables, 0)


@pytest.fixture(scope="module")
def sample(_db_sqlite_template, tmp_path_factory):
    """A backup of the sample clinic (made once per module, from SQLite)."""
    folder = tmp_path_factory.mktemp("sample")
    shutil.copyfile(_db_sqlite_template, folder / "source.db")
    engine = make_engine(f"sqlite:///{folder / 'source.db'}")
    try:
        fill(engine)
        backup(engine, folder / "sample.jsonl")
    finally:
        engine.dispose()
    return (folder / "sample.jsonl").read_text().splitlines()


def _write(tmp_path, lines):
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _header(lines, **changes):
    header = json.loads(lines[0])
    header.update(changes)
    return [json.dumps(header), *lines[1:]]


def _edit_row(lines, table, **changes):
    out = list(lines)
    for i, line in enumerate(out):
        item = json.loads(line)
        if item.get("table") == table:
            item["row"].update(changes)
            out[i] = json.dumps(item)
            return out
    raise AssertionError(table)


def _without(lines, table):
    """The backup without the rows of `table` (the header's count adjusted)."""
    kept = [line for line in lines if json.loads(line).get("table") != table]
    return _header(kept, counts={**json.loads(lines[0])["counts"], table: 0})


def _first(lines, table):
    return next(line for line in lines[1:] if json.loads(line)["table"] == table)


def _twice(lines, table):
    """The first row of `table` repeated (the header's count adjusted)."""
    row = _first(lines, table)
    at = lines.index(row)
    header = json.loads(lines[0])
    more = {**header["counts"], table: header["counts"][table] + 1}
    return _header([*lines[:at], row, *lines[at:]], counts=more)


CORRUPTIONS = {
    "empty file": lambda lines: [""],
    "not json": lambda lines: ["hello", *lines[1:]],
    "other json": lambda lines: ['{"format": "something-else"}', *lines[1:]],
    "future format": lambda lines: _header(lines, format_version=2),
    "other revision": lambda lines: _header(lines, revision="0099_future"),
    "tables missing from header": lambda lines: _header(lines, tables=["clinic"]),
    "truncated": lambda lines: lines[:-5],
    "garbled line": lambda lines: [*lines[:10], lines[10][:25], *lines[11:]],
    "not a row line": lambda lines: [*lines[:3], '{"table": "clinic"}', *lines[3:]],
    "unknown table": lambda lines: [*lines, '{"table": "secrets", "row": {}}'],
    "table out of order": lambda lines: [*lines, _first(lines, "clinic")],
    "bad base64": lambda lines: _edit_row(lines, "document", content="***"),
    "naive datetime": lambda lines: _edit_row(lines, "patient", created_at="2026-01-01T10:00:00"),
    "text in an integer": lambda lines: _edit_row(lines, "episode", version="2"),
    "unknown column": lambda lines: _edit_row(lines, "clinic", secret=1),
    "null in not null": lambda lines: _edit_row(lines, "patient", clinic_id=None),
    "dangling reference": lambda lines: _without(lines, "clinic"),
    "duplicate key": lambda lines: _twice(lines, "patient"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_damaged_backup_is_refused_and_nothing_is_written(
    db_engine, sample, tmp_path, corruption
):
    path = _write(tmp_path, CORRUPTIONS[corruption](sample))
    with pytest.raises(BackupError) as caught:
        restore(db_engine, path)
    assert str(path) in caught.value.message
    assert counts(db_engine) == EMPTY


def test_the_sample_itself_restores(db_engine, sample, tmp_path):
    assert restore(db_engine, _write(tmp_path, sample))["login_attempt"] == LOGIN_ATTEMPTS


def test_a_truncated_gzip_backup_is_refused(db_engine, sample, tmp_path):
    data = gzip.compress(("\n".join(sample) + "\n").encode())
    path = tmp_path / "b.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError, match="truncated"):
        restore(db_engine, path)
    assert counts(db_engine) == EMPTY


def test_a_missing_file_is_refused(db_engine, tmp_path):
    with pytest.raises(BackupError, match="cannot read the backup"):
        restore(db_engine, tmp_path / "nope.jsonl")


def test_restore_into_a_non_empty_database_is_refused(db_engine, sample, tmp_path):
    with session_factory(db_engine)() as session:
        session.add(Clinic(name="already here"))
        session.commit()
    before = counts(db_engine)
    with pytest.raises(BackupError, match=r"not empty \(clinic have rows\)"):
        restore(db_engine, _write(tmp_path, sample))
    assert counts(db_engine) == before


def test_restore_into_an_unmigrated_database_is_refused(db_blank_url, sample, tmp_path):
    engine = make_engine(db_blank_url)
    try:
        with pytest.raises(BackupError, match="not migrated"):
            restore(engine, _write(tmp_path, sample))
        with engine.connect() as connection:
            assert not connection.dialect.get_table_names(connection)
    finally:
        engine.dispose()


def test_damage_never_quotes_row_values(db_engine, sample, tmp_path):
    secret = "Ana Ñ secret-name"
    lines = _edit_row(sample, "patient", display_name=secret * 20)  # too long for PostgreSQL
    lines = _edit_row(lines, "patient", created_at=datetime(2026, 1, 1, tzinfo=UTC).isoformat())
    lines = _without(lines, "clinic")
    with pytest.raises(BackupError) as caught:
        restore(db_engine, _write(tmp_path, lines))
    assert "secret" not in caught.value.message
    assert counts(db_engine) == EMPTY


@pytest.mark.parametrize("revision", [None, "0000_older"])
def test_restore_into_a_database_at_another_revision_is_refused(
    db_engine, sample, tmp_path, revision
):
    expected = "not migrated" if revision is None else "database is at revision 0000_older"
    with at_revision(db_engine, revision), pytest.raises(BackupError, match=expected):
        restore(db_engine, _write(tmp_path, sample))
    assert counts(db_engine) == EMPTY
