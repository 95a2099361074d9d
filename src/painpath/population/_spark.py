"""Screening on Apache Spark: the same prefilter and Bundles, the engine on the executors.

Spark reads the export as text (`spark.read.text`), reads each line's type, id and owner
reference (nothing else), keeps the lines of the prefiltered patients (a broadcast semi-join),
repartitions them by patient id, sorts each partition by patient, and runs `painpath assess`
on the executors through `mapInArrow`: every executor process needs painpath installed (the
same version as the driver). No order within a patient is kept: `_assess.bundle_of` puts each
patient's resources in its canonical order, as on DuckDB.

The assessed rows are computed by all executors at once and kept on them (memory and disk),
then brought to the driver one partition at a time: `toLocalIterator` alone would run the
partitions one after another.

`master` is any Spark master URL (`local[*]`, `spark://host:7077`, `yarn`, `k8s://...`);
without one, an active session is reused, else a `local[*]` session is started.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from painpath.errors import PainpathError
from painpath.knowledge import Knowledge
from painpath.population._assess import ScreenedPatient
from painpath.population._export import (
    OWNER_PATHS,
    PATIENT_TYPES,
    TARGET_TYPES,
    Export,
    observation_filter,
    patient_id_sql,
    visibly_unread_observation,
)
from painpath.population._prefilter import kept_query, register_views
from painpath.population._screen import Job
from painpath.population._spark_exec import DOC_SCHEMA, assess_partition
from painpath.population._worklist import ROW_SCHEMA

__all__ = ["spark_documents", "spark_rows", "spark_session"]

_COLLECT_ROWS = 4096
_PARTITIONS_PER_CORE = 2  # a little slack, so that one slow partition does not idle a core


def spark_session(master: str | None = None) -> Any:
    """The Spark session (`painpath.population.views.spark_session`: reused when one is up),
    its Python workers running this interpreter unless PYSPARK_PYTHON says otherwise."""
    from painpath.population.views import spark_session as session

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return session(master, "painpath-screen")


def _paths(paths: list[Any]) -> list[str]:
    return [p.resolve().as_uri() for p in paths]


def _kept(spark: Any, kb: Knowledge, export: Export) -> Any:
    """DataFrame of the kept patient ids (`pid`), from the prefilter's ViewDefinitions."""
    from painpath.population.views import spark_dataframe

    def register(view: dict[str, Any], files: dict[str, list[Path]], table: str) -> bool:
        frame = spark_dataframe(view, files, spark)
        if frame is not None:
            frame.createOrReplaceTempView(table)
        return frame is not None

    conditions, answers = register_views(export.of, register)
    return spark.sql(kept_query(kb, conditions, answers, patient_id_sql("{ref}")))


def _lines(spark: Any, kb: Knowledge, export: Export, kept: Any) -> Any:
    """DataFrame (pid, line): the kept patients' lines. Each line is parsed once, for its type,
    id and owner reference only (a small schema: Spark skips everything else)."""
    from pyspark.sql import functions as F

    elements = list(dict.fromkeys(OWNER_PATHS.values()))
    owned = [f"`{e}` struct<reference: string>" for e in elements]
    owner_schema = ", ".join(["resourceType string", "id string", *owned])
    raw = spark.read.text(_paths(export.of(*PATIENT_TYPES))).select(F.col("value").alias("line"))
    raw = raw.where(f"trim(line) <> '' AND {visibly_unread_observation(kb, 'line')}")
    parsed = raw.select("line", F.from_json("line", owner_schema).alias("j"))
    cases = " ".join(
        f"WHEN '{rtype}' THEN {patient_id_sql(f'j.`{element}`.reference')}"
        for rtype, element in OWNER_PATHS.items()
    )
    owner = f"CASE j.resourceType WHEN 'Patient' THEN j.id {cases} END"
    rtype = F.col("j.resourceType").alias("rtype")
    lines = parsed.select(F.expr(owner).alias("pid"), rtype, "line")
    lines = lines.where(f"rtype <> 'Observation' OR {observation_filter(kb, 'line')}")
    lines = lines.join(F.broadcast(kept), "pid", "left_semi").select("pid", "line")
    targets = export.of(*TARGET_TYPES)
    if targets:  # the lines are read twice (for the references, then for themselves): cache
        lines = lines.cache()
        lines = lines.unionByName(_target_lines(spark, targets, lines))
    return lines


def _target_lines(spark: Any, targets: list[Any], lines: Any) -> Any:
    from pyspark.sql import functions as F

    names = "|".join(TARGET_TYPES)
    pattern = f'"reference"\\s*:\\s*"(?:[^"]*/)?((?:{names})/[^"/]+)"'
    refs = lines.select(
        "pid", F.explode(F.regexp_extract_all("line", F.lit(pattern), 1)).alias("key")
    )
    table = spark.read.text(_paths(targets)).select(
        F.concat_ws(
            "/",
            F.get_json_object("value", "$.resourceType"),
            F.get_json_object("value", "$.id"),
        ).alias("key"),
        F.col("value").alias("line"),
    )
    return refs.distinct().join(table, "key").select("pid", "line")


def _assessed(job: Job, documents: bool) -> tuple[Any, Any]:
    from pyspark import StorageLevel

    settings = job.settings
    session = settings.spark if settings.spark is not None else spark_session(settings.master)
    kept = _kept(session, job.kb, job.export).cache()
    job.progress.total(kept.count())
    lines = _lines(session, job.kb, job.export, kept)
    parts = _PARTITIONS_PER_CORE * max(int(session.sparkContext.defaultParallelism), 1)
    grouped = lines.repartition(parts, "pid").sortWithinPartitions("pid")
    schema = DOC_SCHEMA if documents else ROW_SCHEMA
    run = assess_partition(settings.as_of.isoformat(), settings.payer, documents)
    frame = grouped.mapInArrow(run, _ddl(schema)).persist(StorageLevel.MEMORY_AND_DISK)
    frame.count()  # every partition at once, on every executor core
    return frame, kept


_SPARK_TYPES = {pa.string(): "string", pa.bool_(): "boolean", pa.float64(): "double"}


def _ddl(schema: pa.Schema) -> str:
    """The Spark DDL of an Arrow schema (the types the worklist uses)."""
    return ", ".join(f"{f.name} {_SPARK_TYPES[f.type]}" for f in schema)


def _collect(job: Job, documents: bool) -> Iterator[list[dict[str, Any]]]:
    """The assessed rows, brought to the driver a batch at a time."""
    try:
        frame, kept = _assessed(job, documents)
    except Exception as exc:
        raise _spark_error(exc) from None
    batch: list[dict[str, Any]] = []
    try:
        for row in frame.toLocalIterator(prefetchPartitions=True):
            batch.append(row.asDict())
            if len(batch) >= _COLLECT_ROWS:
                job.progress.advance(len(batch))
                yield batch
                batch = []
        if batch:
            job.progress.advance(len(batch))
            yield batch
    except Exception as exc:
        raise _spark_error(exc) from None
    finally:
        kept.unpersist()
        frame.unpersist()


def _spark_error(exc: Exception) -> Exception:
    """Spark's own failures (py4j, pyspark) as one line; anything else unchanged."""
    if isinstance(exc, PainpathError) or not type(exc).__module__.startswith(("py4j", "pyspark")):
        return exc
    lines = str(exc).strip().splitlines()
    first = lines[0][:300] if lines else type(exc).__name__
    return PainpathError(f"Spark could not run the screen: {first}", "--engine spark")


def spark_rows(job: Job) -> Iterator[pa.Table]:
    """Worklist rows (ROW_SCHEMA) of the kept patients, assessed on the executors."""
    for batch in _collect(job, documents=False):
        yield pa.Table.from_pylist(batch, schema=ROW_SCHEMA)


def spark_documents(job: Job) -> Iterator[ScreenedPatient]:
    """(patient id, document, error) of the kept patients, assessed on the executors."""
    import orjson

    for batch in _collect(job, documents=True):
        for row in batch:
            doc = orjson.loads(row["document"]) if row["document"] is not None else None
            yield row["patient_id"], doc, row["error"]
