"""Connecting: the database URL, engine settings per backend, units of work, optimistic locks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from painpath.errors import ConflictError, InputError, StoreError
from painpath.store import (
    Clinic,
    Episode,
    Patient,
    commit,
    database_url,
    make_engine,
    session_factory,
    transaction,
    upgrade,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("PAINPATH_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAINPATH_HOME", raising=False)
    return monkeypatch


def test_default_database_is_a_sqlite_file_under_var(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path}/var/painpath.db"
    assert (tmp_path / "var").is_dir()


def test_painpath_home_chooses_the_folder(clean_env, tmp_path):
    clean_env.setenv("PAINPATH_HOME", str(tmp_path / "a" / "b"))
    assert database_url() == f"sqlite:///{tmp_path}/a/b/painpath.db"
    assert (tmp_path / "a" / "b").is_dir()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p%40ss@db:5432/clinic", "postgresql+psycopg://u:p%40ss@db:5432/clinic"),
        ("postgres://u@db/clinic", "postgresql+psycopg://u@db/clinic"),
        ("postgresql+psycopg://u@db/clinic", "postgresql+psycopg://u@db/clinic"),
        ("sqlite:////srv/painpath.db", "sqlite:////srv/painpath.db"),
    ],
)
def test_database_url_normalises_postgresql_to_psycopg(clean_env, given, expected):
    clean_env.setenv("PAINPATH_DATABASE_URL", given)
    assert database_url() == expected


def test_a_malformed_database_url_is_bad_input(clean_env):
    clean_env.setenv("PAINPATH_DATABASE_URL", "not a url")
    with pytest.raises(InputError, match="PAINPATH_DATABASE_URL"):
        database_url()


def test_sqlite_engine_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_an_in_memory_sqlite_database_can_be_migrated():
    engine = make_engine("sqlite://")
    try:
        upgrade(engine)
        with transaction(session_factory(engine)) as session:
            session.add(Clinic(name="c"))
        with session_factory(engine)() as session:
            assert session.scalars(select(Clinic.name)).all() == ["c"]
    finally:
        engine.dispose()


def test_postgresql_engines_use_psycopg_3():
    engine = make_engine("postgresql://u@localhost/x")  # never connects
    assert engine.dialect.driver == "psycopg"
    # When a pooled connection is checked before use: tests/store/test_db_pool.py


def test_foreign_keys_are_enforced(db_session):
    db_session.add(Patient(id="p", clinic_id=99, created_at=NOW, updated_at=NOW))
    with pytest.raises(IntegrityError):
        db_session.commit()


def test_threads_share_one_engine(db_engine):
    upgrade(db_engine)  # already at head: a no-op
    factory = session_factory(db_engine)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                with transaction(factory) as session:
                    session.add(Clinic(name=f"clinic {n}-{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Clinic)) == 40


def test_transaction_commits_or_rolls_back(db_engine):
    factory = session_factory(db_engine)
    with transaction(factory) as session:
        session.add(Clinic(name="kept"))
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.add(Clinic(name="dropped"))
        session.flush()
        raise RuntimeError("boom")
    with factory() as session:
        assert session.scalars(select(Clinic.name)).all() == ["kept"]


def _episode(db_engine) -> int:
    with transaction(session_factory(db_engine)) as session:
        session.add(Clinic(id=1, name="c"))
        session.add(Patient(id="p", clinic_id=1, created_at=NOW, updated_at=NOW))
        session.flush()
        episode = Episode(patient_id="p", state="referral", opened_at=NOW, updated_at=NOW)
        session.add(episode)
        session.flush()
        assert episode.version == 1
        assert episode.data == {}
        return episode.id


def test_second_writer_of_a_stale_episode_is_refused(db_engine):
    episode_id = _episode(db_engine)
    factory = session_factory(db_engine)
    with factory() as first, factory() as second:
        a, b = first.get(Episode, episode_id), second.get(Episode, episode_id)
        a.state, b.state = "consultation", "discharged"
        first.commit()
        assert a.version == 2
        with pytest.raises(StaleDataError):
            second.commit()
    with factory() as session:
        stored = session.get(Episode, episode_id)
        assert (stored.state, stored.version) == ("consultation", 2)


def test_stale_write_becomes_a_conflict_error(db_engine):
    episode_id = _episode(db_engine)
    factory = session_factory(db_engine)
    with factory() as first, factory() as second:
        a, b = first.get(Episode, episode_id), second.get(Episode, episode_id)
        a.data = {"note": "first"}
        commit(first)
        b.data = {"note": "second"}
        with pytest.raises(ConflictError, match="episode") as caught:
            commit(second)
        assert isinstance(caught.value, StoreError)
        assert "second" not in caught.value.message
        b = second.get(Episode, episode_id)  # the session is usable again after the rollback
        assert b.data == {"note": "first"}


def test_stale_write_inside_a_transaction_block_becomes_a_conflict_error(db_engine):
    episode_id = _episode(db_engine)
    factory = session_factory(db_engine)
    with pytest.raises(ConflictError), transaction(factory) as session:
        mine = session.get(Episode, episode_id)
        with transaction(factory) as other:
            other.get(Episode, episode_id).state = "consultation"
        mine.state = "scheduled"
        session.flush()  # the stale UPDATE fails here, inside the block
    with factory() as session:
        assert session.get(Episode, episode_id).state == "consultation"


def test_concurrent_writers_never_lose_an_update(db_engine):
    """Threads increment one episode's counter; a stale write retries instead of overwriting."""
    episode_id = _episode(db_engine)
    factory = session_factory(db_engine)
    conflicts: list[int] = []

    def work() -> None:
        for _ in range(10):
            while True:
                try:
                    with transaction(factory) as session:
                        episode = session.get(Episode, episode_id)
                        count = episode.data.get("count", 0)
                        episode.data = {"count": count + 1}
                    break
                except ConflictError:
                    conflicts.append(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        episode = session.get(Episode, episode_id)
        assert episode.data == {"count": 40}
        assert episode.version == 41
