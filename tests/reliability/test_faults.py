"""Faults: kill -9 of `painpath serve` mid-write, the database going away, a full disk.

kill -9 trials (`KILL_TRIALS` each, default 2; `make stress`: 20) run on every backend:
imports and pathway transitions are in flight from several threads when the server is
killed at a random instant. After a restart every transaction is all or nothing, every
acknowledged write is there, and the audit log matches the data exactly:

- an imported patient is there whole (every resource of exactly one of its versions) or
  not at all, and has one allowed `fhir.import` audit row per version stored;
- an episode's version equals its number of events, its state is its last event's target,
  the events chain from state to state, and it has one allowed `episode.transition` audit
  row per event after the referral and one stored assessment per `assess` event.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api._client import ApiClient
from clinic._world import FAST, World, vignette
from db import BACKENDS, ENV, create_pg_database, drop_pg_database, sqlite_url
from painpath.api import create_app
from painpath.store import (
    Assessment,
    AuditEvent,
    Episode,
    EpisodeEvent,
    FhirResource,
    Patient,
    make_engine,
    upgrade,
)

from ._server import Server, TcpProxy, report, seeded_world

STRESS = os.environ.get("PAINPATH_STRESS") == "1"
KILL_TRIALS = int(os.environ.get("PAINPATH_KILL_TRIALS", "20" if STRESS else "2"))
THREADS = 4
JOBS = 60  # per trial: more than 4 threads finish before the kill (at 0.2-1.5 s), so
# every kill lands with writes in flight


def _import_body(pid: str, version: str, n: int) -> dict[str, Any]:
    """A Bundle of one Patient and `n` Observations whose ids carry the version."""
    entries: list[dict[str, Any]] = [
        {"resource": {"resourceType": "Patient", "id": pid, "birthDate": "1960-01-01"}}
    ]
    entries += [
        {
            "resource": {
                "resourceType": "Observation",
                "id": f"{pid}-{version}{i}",
                "status": "final",
                "subject": {"reference": f"Patient/{pid}"},
                "code": {"text": "note"},
            }
        }
        for i in range(n)
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


SIZES = {"a": 120, "b": 60}  # resources (besides the Patient) of each version of a patient


def _hammer(
    server: Server, jobs: list[Callable[[httpx.Client], None]]
) -> tuple[list[BaseException], int]:
    """Run the jobs on `THREADS` threads until the server dies: the unexpected errors, and
    how many requests the kill cut off (in flight, or sent to the dead server)."""
    errors: list[BaseException] = []
    cut = 0
    queue = list(jobs)
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=server.base, timeout=30) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                try:
                    job(client)
                except httpx.TransportError:
                    nonlocal cut
                    with lock:
                        cut += 1
                    return  # the server was killed under this request
                except BaseException as exc:
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(0.2, 1.5))
    server.kill()
    for thread in threads:
        thread.join(timeout=60)
    return errors, cut


def _check_imports(engine: Engine, acked: dict[str, set[str]]) -> None:
    with Session(engine) as db:
        audits = Counter(
            db.execute(
                select(AuditEvent.patient_id).where(
                    AuditEvent.outcome == "allowed", AuditEvent.resource.like("fhir.import %")
                )
            ).scalars()
        )
        for pid in {p for p in db.execute(select(Patient.id)).scalars() if p.startswith("imp")}:
            ids = set(
                db.execute(
                    select(FhirResource.resource_id).where(
                        FhirResource.patient_id == pid, FhirResource.resource_type == "Observation"
                    )
                ).scalars()
            )
            versions = {i[len(pid) + 1] for i in ids}
            assert len(versions) == 1, f"{pid}: a mix of versions {versions}"
            (version,) = versions
            assert len(ids) == SIZES[version], f"{pid}: {len(ids)} of {SIZES[version]} resources"
            stored = 1 if version == "a" else 2
            assert audits[pid] == stored, f"{pid}: {audits[pid]} import audits, {stored} stored"
            assert not acked[pid] - ({"a", "b"} if version == "b" else {"a"}), f"{pid}: lost"
        for pid, versions in acked.items():
            if versions:
                assert db.get(Patient, pid) is not None, f"{pid}: an acknowledged import is lost"


def _check_episodes(engine: Engine, acked: dict[int, int]) -> None:
    with Session(engine) as db:
        audits = Counter(
            db.execute(
                select(AuditEvent.resource).where(
                    AuditEvent.outcome == "allowed",
                    AuditEvent.resource.like("episode.transition %"),
                )
            ).scalars()
        )
        for episode in db.execute(select(Episode)).scalars().all():
            events = (
                db.execute(
                    select(EpisodeEvent)
                    .where(EpisodeEvent.episode_id == episode.id)
                    .order_by(EpisodeEvent.id)
                )
                .scalars()
                .all()
            )
            name = f"Episode/{episode.id}"
            assert episode.version == len(events), f"{name}: version {episode.version}"
            assert episode.state == events[-1].to_state, f"{name}: state"
            for before, after in itertools.pairwise(events):
                assert after.from_state == before.to_state, f"{name}: broken chain"
            moves = audits[f"episode.transition {name}"]
            assert moves == len(events) - 1, f"{name}: {moves} audits, {len(events) - 1} moves"
            assessments = db.scalar(select(func.count()).where(Assessment.episode_id == episode.id))
            assert assessments == sum(e.event == "assess" for e in events), f"{name}: assessment"
            assert episode.version >= acked.get(episode.id, 0), f"{name}: an acked move is lost"


def _integrity(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as db:
            assert db.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def _import_jobs(trial: int, world: World, acked: dict[str, set[str]]) -> list[Any]:
    headers = world.headers("clinician")
    jobs = []
    for k in range(JOBS):
        pid = f"imp{trial}x{k}"
        acked[pid] = set()
        versions = ("a", "b") if k % 2 else ("a",)  # "b" re-imports (replaces) the patient

        def job(client: httpx.Client, pid: str = pid, versions: tuple[str, ...] = versions) -> None:
            for version in versions:
                body = _import_body(pid, version, SIZES[version])
                response = client.post("/fhir/Bundle", json=body, headers=headers)
                assert response.status_code == 201, response.text
                acked[pid].add(version)

        jobs.append(job)
    return jobs


def _episode_jobs(world: World, acked: dict[int, int]) -> list[Any]:
    """`JOBS` episodes, each opened then moved consult -> assess -> cancel."""
    headers = world.headers("clinician")
    moves = [
        ("consult", {"history": "h", "previous_treatments": "p", "symptoms": "s", "exam": "e"}),
        ("assess", {"as_of": "2026-06-01"}),
        ("cancel", {"reason": "trial"}),
    ]

    def job(client: httpx.Client) -> None:
        opened = client.post(
            "/patients/pt-radicular-ready/episodes",
            json={"payload": {"source": "referral", "reason": "trial"}},
            headers=headers,
        )
        assert opened.status_code == 201, opened.text
        episode, version = opened.json()["id"], opened.json()["version"]
        acked[episode] = version
        for name, payload in moves:
            body = {"event": name, "payload": payload, "version": version}
            response = client.post(f"/episodes/{episode}/transitions", json=body, headers=headers)
            assert response.status_code == 200, response.text
            version = response.json()["version"]
            acked[episode] = version

    return [job] * JOBS


@pytest.mark.parametrize("kind", ["imports", "transitions"])
def test_kill_9_mid_write_leaves_every_transaction_whole_and_audited(
    kind: str, db_url: str, db_engine: Engine, tmp_path: Path
) -> None:
    world = seeded_world(db_engine)
    server = Server(db_url, tmp_path / "serve.log")
    server.start()
    try:
        if kind == "transitions":
            headers = world.headers("clinician")
            imported = httpx.post(
                f"{server.base}/fhir/Bundle", json=vignette("radicular-ready"), headers=headers
            )
            assert imported.status_code == 201, imported.text
        acked_imports: dict[str, set[str]] = {}
        acked_moves: dict[int, int] = {}
        for trial in range(KILL_TRIALS):
            if kind == "imports":
                jobs = _import_jobs(trial, world, acked_imports)
            else:
                jobs = _episode_jobs(world, acked_moves)
            errors, cut = _hammer(server, jobs)
            assert not errors, f"trial {trial}: {errors[0]!r}"
            acked = sum(map(len, acked_imports.values())) + sum(acked_moves.values())
            backend = db_engine.dialect.name
            report(
                {
                    "test": f"kill-{kind}",
                    "backend": backend,
                    "trial": trial,
                    "cut": cut,
                    "acked_total": acked,
                }
            )
            _integrity(db_engine)
            if kind == "imports":
                _check_imports(db_engine, acked_imports)
            else:
                _check_episodes(db_engine, acked_moves)
            server.start()  # the restart serves again, on the same data
            assert httpx.get(f"{server.base}/health").status_code == 200
    finally:
        server.stop()


def _pg_through(proxy_port: int, db_url: str) -> str:
    url = make_url(db_url).set(host="127.0.0.1", port=proxy_port)
    return url.render_as_string(hide_password=False)


def _load(server: Server, headers: dict[str, str], stop: threading.Event, out: list[Any]) -> None:
    """About 20 requests/s of reads and writes until `stop`; (sent at, status, body) each."""
    with httpx.Client(base_url=server.base, timeout=15) as client:
        n = 0
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                if n % 3 == 0:
                    response = client.post(
                        "/patients/pt-own/observations",
                        json={"kind": "nrs", "value": 5},
                        headers=headers,
                    )
                else:
                    response = client.get("/patients/pt-own", headers=headers)
                out.append((started, response.status_code, response.json()))
            except httpx.HTTPError as exc:  # a hang or a dropped connection is a failure
                out.append((started, 0, repr(exc)))
            time.sleep(0.05)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of its own (the server-loss test only)."""
    url = create_pg_database("_proxy")
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    yield url
    drop_pg_database(url)


@pytest.mark.skipif("postgresql" not in BACKENDS, reason=f"PostgreSQL only: set {ENV}")
def test_a_database_that_goes_away_gives_503s_and_service_resumes_without_a_restart(
    pg_url: str, tmp_path: Path
) -> None:
    db_url = pg_url
    db_engine = make_engine(db_url)
    headers = seeded_world(db_engine).headers("clinician")
    db_engine.dispose()
    target = make_url(db_url)
    proxy = TcpProxy((target.host or "127.0.0.1", target.port or 5432))
    proxy.start()
    server = Server(_pg_through(proxy.port, db_url), tmp_path / "serve.log")
    server.start()
    stop = threading.Event()
    results: list[Any] = []
    loader = threading.Thread(target=_load, args=(server, headers, stop, results))
    try:
        loader.start()
        time.sleep(1.5)
        down_at = time.monotonic()
        proxy.stop()  # the database server crashes: listener gone, connections reset
        time.sleep(3)
        up_at = time.monotonic()
        proxy.start()  # ... and comes back on the same address
        time.sleep(4)
        stop.set()
        loader.join(timeout=30)
        assert server.proc is not None and server.proc.poll() is None  # never restarted
    finally:
        stop.set()
        server.stop()
        proxy.close()
    statuses = Counter(status for _, status, _ in results)
    assert set(statuses) <= {200, 201, 503}, statuses
    during = [(s, body) for t, s, body in results if down_at < t < up_at - 0.5]
    assert during and all(s == 503 for s, _ in during), during[:3]
    assert all(body["error"]["code"] == "unavailable" for _, body in during)
    after = [s for t, s, _ in results if t > up_at + 2]
    assert after and all(s in (200, 201) for s in after), after


@contextlib.contextmanager
def small_disk(where: Path, size_kb: int) -> Iterator[None]:
    """A tmpfs of `size_kb` mounted at `where` (needs root), unmounted afterwards."""
    where.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({proc.stderr.strip()}): needs root")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _filled(pid: str) -> dict[str, Any]:
    """A ~250 KB Bundle of incompressible text."""
    bundle = _import_body(pid, "a", 40)
    for entry in bundle["entry"][1:]:
        entry["resource"]["code"]["text"] = os.urandom(3000).hex()
    return bundle


@pytest.mark.parametrize("full", ["tmpfs", "max_page_count"])
def test_a_full_disk_is_a_clear_503_with_no_corruption_and_writes_resume_once_freed(
    full: str, tmp_path: Path, db_sqlite_engine: Callable[[], Engine]
) -> None:
    """`tmpfs`: the database on a real 2 MiB filesystem that fills up (a 512 KB ballast file
    is deleted afterwards to free space). `max_page_count`: SQLite's own page limit, which
    answers SQLITE_FULL like a full disk, for machines where mounting is not allowed."""
    template = db_sqlite_engine()  # a migrated database, copied onto the small disk
    source = Path(str(template.url.database))
    template.dispose()
    disk = tmp_path / "disk"
    with small_disk(disk, 2048) if full == "tmpfs" else contextlib.nullcontext():
        disk.mkdir(exist_ok=True)
        shutil.copyfile(source, disk / "painpath.db")
        ballast = disk / "ballast"
        # More than one Bundle takes in the WAL (~380 KB: the resources, their index rows and
        # audit), so that freeing it makes room for the next one wherever the disk filled up:
        # 256 KB fitted only while the migrated database was small enough to leave the failed
        # write's partial WAL frames (reused on retry) above ~120 KB.
        ballast.write_bytes(b"\0" * 512 * 1024)
        engine = make_engine(sqlite_url(disk / "painpath.db"))
        if full == "max_page_count":
            event.listen(
                engine, "connect", lambda conn, _rec: conn.execute("PRAGMA max_page_count = 400")
            )
        world = seeded_world(engine)
        client = ApiClient(create_app(engine, hasher=FAST))
        headers = world.headers("clinician")
        stored: list[str] = []
        failure = None
        for n in range(400):
            response = client.post("/fhir/Bundle", json=_filled(f"full{n}"), headers=headers)
            if response.status_code != 201:
                failure = response
                break
            stored.append(f"full{n}")
        assert failure is not None, "the disk never filled"
        assert failure.status_code == 503, failure.text
        assert failure.json()["error"]["code"] == "storage-full"
        assert "disk is full" in failure.json()["error"]["message"]
        with engine.connect() as db:
            assert db.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            kept = set(db.execute(select(Patient.id)).scalars())
            audited = Counter(
                db.execute(
                    select(AuditEvent.patient_id).where(
                        AuditEvent.outcome == "allowed", AuditEvent.resource.like("fhir.import %")
                    )
                ).scalars()
            )
        assert stored and {p for p in kept if p.startswith("full")} == set(stored)
        assert all(audited[p] == 1 for p in stored) and f"full{len(stored)}" not in audited
        if full == "tmpfs":
            ballast.unlink()  # space comes back: the same app writes again, no restart
            again = client.post("/fhir/Bundle", json=_filled("after"), headers=headers)
            assert again.status_code == 201, again.text
        client.close()
        engine.dispose()
