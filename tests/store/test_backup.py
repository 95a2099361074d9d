"""Backup -> restore gives back every row exactly, within and across SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from db import empty_tables
from painpath.errors import StoreError
from painpath.store import (
    BackupError,
    Clinic,
    LoginAttempt,
    backup,
    backup_header,
    current_revision,
    restore,
    session_factory,
)

from ._sample import LOGIN_ATTEMPTS, at_revision, counts, dump, fill


def _rows(path):
    """The row lines of a backup (the header differs in its time and source only)."""
    return path.read_bytes().splitlines()[1:]


def test_round_trip_on_the_same_backend_is_exact(db_engine, db_backend, db_sqlite_engine, tmp_path):
    """SQLite -> a new SQLite file; PostgreSQL -> the same database, emptied."""
    fill(db_engine)
    before = dump(db_engine)
    written = backup(db_engine, tmp_path / "b.jsonl")
    assert written == counts(db_engine)
    assert written["login_attempt"] == LOGIN_ATTEMPTS
    if db_backend == "sqlite":
        target = db_sqlite_engine()
    else:
        empty_tables(db_engine)
        target = db_engine
    assert restore(target, tmp_path / "b.jsonl") == written
    assert dump(target) == before
    backup(target, tmp_path / "again.jsonl")
    assert _rows(tmp_path / "again.jsonl") == _rows(tmp_path / "b.jsonl")


def test_round_trip_across_backends_is_exact(db_engine, db_sqlite_engine, tmp_path):
    """SQLite -> the backend under test, and back to SQLite (PostgreSQL when configured)."""
    source, back = db_sqlite_engine(), db_sqlite_engine()
    fill(source)
    backup(source, tmp_path / "from-sqlite.jsonl")
    restore(db_engine, tmp_path / "from-sqlite.jsonl")
    assert dump(db_engine) == dump(source)
    backup(db_engine, tmp_path / "to-sqlite.jsonl")
    restore(back, tmp_path / "to-sqlite.jsonl")
    assert dump(back) == dump(source)
    assert _rows(tmp_path / "to-sqlite.jsonl") == _rows(tmp_path / "from-sqlite.jsonl")


def test_backup_file_format(db_engine, tmp_path):
    fill(db_engine)
    backup(db_engine, tmp_path / "b.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text().splitlines()]
    header, rows = lines[0], lines[1:]
    assert backup_header(tmp_path / "b.jsonl") == header
    assert header["format"] == "painpath-backup"
    assert header["format_version"] == 1
    assert header["revision"] == current_revision(db_engine)
    assert header["tables"].index("clinic") < header["tables"].index("patient")
    assert header["tables"].index("user_account") < header["tables"].index("document")
    assert sum(header["counts"].values()) == len(rows)
    assert all(set(line) == {"table", "row"} for line in rows)
    document = next(line["row"] for line in rows if line["table"] == "document")
    assert document["content"].startswith("AAECAwQF")  # base64 of bytes 0, 1, 2, ...
    patient = next(line["row"] for line in rows if line["table"] == "patient")
    assert patient["birth_date"] == "1961-02-03"
    assert patient["created_at"] == "2026-03-28T20:00:15.123456+00:00"


def test_gzip_backups(db_engine, db_sqlite_engine, tmp_path):
    fill(db_engine)
    backup(db_engine, tmp_path / "b.jsonl.gz")
    with gzip.open(tmp_path / "b.jsonl.gz") as unzipped:
        assert b"painpath-backup" in unzipped.readline()
    target = db_sqlite_engine()
    restore(target, tmp_path / "b.jsonl.gz")
    assert dump(target) == dump(db_engine)


def test_ids_continue_after_a_restore(db_engine, db_sqlite_engine, tmp_path):
    source = db_sqlite_engine()
    fill(source)
    backup(source, tmp_path / "b.jsonl")
    restore(db_engine, tmp_path / "b.jsonl")
    with session_factory(db_engine)() as session:
        clinic = Clinic(name="new")
        attempt = LoginAttempt(key="k", at=datetime.now(UTC))
        session.add_all([clinic, attempt])
        session.commit()
        assert clinic.id == 3
        assert attempt.id == LOGIN_ATTEMPTS + 1


def test_an_empty_database_backs_up_and_restores(db_engine, db_sqlite_engine, tmp_path):
    assert sum(backup(db_engine, tmp_path / "b.jsonl").values()) == 0
    assert sum(restore(db_sqlite_engine(), tmp_path / "b.jsonl").values()) == 0


def test_backup_replaces_the_file_atomically(db_engine, tmp_path):
    target = tmp_path / "b.jsonl"
    target.write_text("old")
    backup(db_engine, target)
    assert target.read_text().startswith('{"format":"painpath-backup"')
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backup_into_a_missing_folder_fails_without_a_file(db_engine, tmp_path):
    with pytest.raises(StoreError, match="cannot write the backup"):
        backup(db_engine, tmp_path / "missing" / "b.jsonl")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("revision", [None, "0000_older"])
def test_backup_of_a_database_at_another_revision_is_refused(db_engine, tmp_path, revision):
    expected = f"at revision {revision}, this painpath at"
    with at_revision(db_engine, revision), pytest.raises(BackupError, match=expected):
        backup(db_engine, tmp_path / "b.jsonl")
    assert not (tmp_path / "b.jsonl").exists()
