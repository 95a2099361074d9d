"""`painpath screen`: a Bulk Data export -> a ranked worklist, with the same engine as `assess`.

    screen_documents(folder, Screening(as_of=...))        one (patient id, assessment, error)
                                                          per kept patient
    screen(folder, worklist, Screening(as_of=...))        every kept patient's worklist row

DuckDB (default) groups each kept patient's lines and the engine runs here, in batches;
Spark groups them on the cluster and runs the engine on the executors (`_spark`). Either way
each patient's lines become the Bundle `painpath assess` reads (`_assess`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from painpath import PAYERS
from painpath.errors import InputError
from painpath.knowledge import Knowledge, load_knowledge
from painpath.population._assess import ScreenedPatient, assess_lines, row_of
from painpath.population._duckdb import DuckDbSettings, duckdb_groups
from painpath.population._export import Export, open_export
from painpath.population._worklist import ROW_SCHEMA, Worklist

__all__ = ["ENGINES", "Job", "Progress", "Screening", "screen", "screen_documents"]

ENGINES = ("duckdb", "spark")
_ROWS_PER_BATCH = 4096
_CHUNK = 256  # patients per task sent to a worker process


class Progress(Protocol):
    """Callbacks for a progress display: `total(n)` once the prefilter is done, `advance(n)`."""

    def total(self, patients: int) -> None:
        """The number of patients the prefilter kept."""

    def advance(self, patients: int) -> None:
        """`patients` more have been assessed."""


class _Quiet:
    def total(self, patients: int) -> None:
        pass

    def advance(self, patients: int) -> None:
        pass


@dataclass(frozen=True)
class Screening:
    """How to screen: the as-of date, the engine (and Spark master or session), the payer."""

    as_of: date
    engine: str = "duckdb"
    payer: str = "cms"
    master: str | None = None
    spark: Any = None
    knowledge: Knowledge | None = None
    progress: Progress | None = None
    workers: int = 1  # DuckDB: processes that run the engine (1: in this process)


@dataclass(frozen=True)
class Job:
    """One screening run: the checked settings, the knowledge and the export."""

    settings: Screening
    kb: Knowledge
    export: Export
    progress: Progress


def _job(folder: Path, settings: Screening) -> Job:
    if settings.engine not in ENGINES:
        raise InputError(f"unknown engine {settings.engine!r}", "--engine", " or ".join(ENGINES))
    if settings.payer not in PAYERS:
        raise InputError(f"unknown payer {settings.payer!r}", "--payer", " or ".join(PAYERS))
    kb = settings.knowledge if settings.knowledge is not None else load_knowledge()
    return Job(settings, kb, open_export(folder), settings.progress or _Quiet())


def _staged(job: Job) -> Callable[[str, int], None]:
    def stage(name: str, count: int) -> None:
        if name == "kept":
            job.progress.total(count)

    return stage


def _duckdb_docs(job: Job) -> Iterator[ScreenedPatient]:
    kb, as_of, payer = job.kb, job.settings.as_of, job.settings.payer
    done = 0
    for pid, lines in duckdb_groups(kb, job.export, DuckDbSettings(), _staged(job)):
        yield assess_lines(pid, lines, kb, as_of, payer)
        done += 1
        if done % 256 == 0:
            job.progress.advance(256)
    job.progress.advance(done % 256)


def screen_documents(folder: Path, settings: Screening) -> Iterator[ScreenedPatient]:
    """(patient id, assessment document or None, error or None) for each patient the
    prefilter keeps; the documents are exactly what `painpath.assess` returns for the Bundle
    of that patient's resources. Patients the prefilter drops are `not-indicated`.

    Raises InputError for an unknown engine or payer, or an export that cannot be read."""
    job = _job(folder, settings)
    if settings.engine == "duckdb":
        yield from _duckdb_docs(job)
        return
    from painpath.population._spark import spark_documents

    yield from spark_documents(job)


def screen(folder: Path, worklist: Worklist, settings: Screening) -> Export:
    """Screen the export into `worklist` (one row per kept patient); returns the export read."""
    job = _job(folder, settings)
    if settings.engine == "spark":
        from painpath.population._spark import spark_rows

        for batch in spark_rows(job):
            worklist.add(batch)
        return job.export
    rows_of = _rows_in_process(job) if settings.workers <= 1 else _rows_in_workers(job)
    for rows in rows_of:
        worklist.add(pa.Table.from_pylist(rows, schema=ROW_SCHEMA))
    return job.export


def _rows_in_process(job: Job) -> Iterator[list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    for item in _duckdb_docs(job):
        rows.append(row_of(item))
        if len(rows) >= _ROWS_PER_BATCH:
            yield rows
            rows = []
    if rows:
        yield rows


def _assess_chunk(
    chunk: list[tuple[str, list[str]]], as_of: date, payer: str
) -> list[dict[str, Any]]:
    """Worker side: the rows of a chunk of patients (the knowledge is loaded once per worker)."""
    kb = load_knowledge()
    return [row_of(assess_lines(pid, lines, kb, as_of, payer)) for pid, lines in chunk]


def _rows_in_workers(job: Job) -> Iterator[list[dict[str, Any]]]:
    """The engine in `workers` forked processes, fed chunks of patients as DuckDB streams them;
    at most a few chunks per worker are in flight, so memory stays bounded."""
    import concurrent.futures as cf
    import multiprocessing

    settings = job.settings
    context = multiprocessing.get_context("fork")
    workers = settings.workers
    with cf.ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: set[cf.Future[list[dict[str, Any]]]] = set()
        chunk: list[tuple[str, list[str]]] = []

        def submit() -> None:
            pending.add(pool.submit(_assess_chunk, chunk, settings.as_of, settings.payer))

        for group in duckdb_groups(job.kb, job.export, DuckDbSettings(), _staged(job)):
            chunk.append(group)
            if len(chunk) >= _CHUNK:
                submit()
                chunk = []
            while len(pending) >= 3 * workers:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                yield from _finished(done, job)
        if chunk:
            submit()
        while pending:
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            yield from _finished(done, job)


def _finished(done: set[Any], job: Job) -> Iterator[list[dict[str, Any]]]:
    for future in done:
        rows: list[dict[str, Any]] = future.result()
        job.progress.advance(len(rows))
        yield rows
