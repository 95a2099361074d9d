"""`painpath screen`: a Bulk Data export -> a ranked worklist, with the same engine as `assess`.

    screen_documents(folder, Screening(as_of=...))        one (patient id, assessment, error)
                                                          per kept patient
    screen(folder, worklist, Screening(as_of=...))        every kept patient's worklist row

DuckDB (default) groups each kept patient's lines and the engine runs here, in batches;
Spark groups them on the cluster and runs the engine on the executors (`_spark`). Either way
each patient's lines become the Bundle `painpath assess` reads (`_assess`).
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from painpath import PAYERS
from painpath.errors import InputError
from painpath.knowledge import Knowledge, load_knowledge
from painpath.population._assess import ScreenedPatient, assess_lines, group_batches, row_of
from painpath.population._duckdb import DuckDbSettings, duckdb_batches, duckdb_groups
from painpath.population._export import Export, open_export
from painpath.population._worklist import ROW_SCHEMA, Worklist

__all__ = [
    "ENGINES",
    "Job",
    "Progress",
    "Screening",
    "patient_chunks",
    "screen",
    "screen_documents",
]

ENGINES = ("duckdb", "spark")
_CHUNK_LINES = 2048  # lines (of whole patients) per task sent to a worker process


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
        worklist.add(rows)
    return job.export


def _chunks(job: Job) -> Iterator[pa.Table]:
    """The kept patients' (pid, line) rows from DuckDB in tables of whole patients."""
    batches = duckdb_batches(job.kb, job.export, DuckDbSettings(), _staged(job))
    return patient_chunks(batches, _CHUNK_LINES)


def patient_chunks(batches: Iterable[pa.RecordBatch], lines: int) -> Iterator[pa.Table]:
    """Tables of about `lines` (pid, line) rows each, from batches sorted by pid, cut only
    between patients (a patient with more lines than `lines` makes one bigger table)."""
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        pending.append(batch)
        size += batch.num_rows
        if size < lines:
            continue
        table = pa.Table.from_batches(pending)
        pids = table.column(0)
        cut = pc.index(pids, pids[-1]).as_py()  # the last patient's first row
        if cut > 0:
            yield table.slice(0, cut)
            rest = table.slice(cut)
            pending, size = rest.to_batches(), rest.num_rows
    if size:
        yield pa.Table.from_batches(pending)


def _assess_table(table: pa.Table, as_of: date, payer: str) -> pa.Table:
    """The worklist rows of a table of whole patients (in a worker, the knowledge is loaded
    once per process)."""
    kb = load_knowledge()
    rows = [
        row_of(assess_lines(pid, lines, kb, as_of, payer))
        for pid, lines in group_batches(table.to_batches())
    ]
    return pa.Table.from_pylist(rows, schema=ROW_SCHEMA)


def _rows_in_process(job: Job) -> Iterator[pa.Table]:
    settings = job.settings
    for chunk in _chunks(job):
        rows = _assess_table(chunk, settings.as_of, settings.payer)
        job.progress.advance(rows.num_rows)
        yield rows


def _ready() -> None:
    """A no-op task: starts the worker processes before DuckDB starts its threads."""


def _rows_in_workers(job: Job) -> Iterator[pa.Table]:
    """The engine in `workers` forked processes, fed tables of whole patients as DuckDB streams
    them (the main process only cuts Arrow batches; the workers turn lines into Python); at most
    a few tables per worker are in flight, so memory stays bounded."""
    import concurrent.futures as cf
    import multiprocessing

    settings = job.settings
    # pyarrow imports pandas the first time it builds an array from Python objects: done here,
    # before the fork, the import is paid once and its pages are shared with the workers
    pa.Table.from_pylist([], schema=ROW_SCHEMA)
    context = multiprocessing.get_context("fork")
    workers = settings.workers
    with cf.ProcessPoolExecutor(workers, mp_context=context) as pool:
        pool.submit(_ready).result()
        pending: set[cf.Future[pa.Table]] = set()
        for chunk in _chunks(job):
            pending.add(pool.submit(_assess_table, chunk, settings.as_of, settings.payer))
            while len(pending) >= 3 * workers:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                yield from _finished(done, job)
        while pending:
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            yield from _finished(done, job)


def _finished(done: set[cf.Future[pa.Table]], job: Job) -> Iterator[pa.Table]:
    for future in done:
        rows = future.result()
        job.progress.advance(rows.num_rows)
        yield rows
