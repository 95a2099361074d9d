"""Running a compiled view over NDJSON files on DuckDB or Spark, as Arrow record batches.

DuckDB reads the files itself (`read_ndjson_objects`, built into the Python wheel: no
extension download) and streams batches: memory stays flat however big the export. Spark
reads them as text (`spark.read.text`, split across executors) and parses each line to a
VARIANT; `run_view` collects the result to the driver as Arrow, so for outputs larger than
the driver's memory use `spark_dataframe` and write from the executors.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from painpath.errors import InputError
from painpath.population.views._compile import CompiledView, compile_view
from painpath.population.views._dialect import DIALECTS
from painpath.population.views._source import BulkFiles, files_for

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "ENGINES",
    "arrow_schema",
    "duckdb_relation",
    "run_view",
    "spark_dataframe",
    "spark_session",
    "spark_source_view",
]

ENGINES = ("duckdb", "spark")
BATCH_ROWS = 65_536
_ARROW = {"str": pa.string(), "bool": pa.bool_(), "int": pa.int64(), "num": pa.float64()}
_temp_names = itertools.count()


def arrow_schema(view: CompiledView) -> pa.Schema:
    """The Arrow schema of a view's output (same on both engines)."""
    fields = []
    for col in view.columns:
        typ = _ARROW[col.kind]
        fields.append(pa.field(col.name, pa.list_(typ) if col.collection else typ))
    return pa.schema(fields)


def _compiled(view: dict[str, Any] | CompiledView) -> CompiledView:
    return view if isinstance(view, CompiledView) else compile_view(view)


def _runtime_error(exc: BaseException) -> InputError:
    text = str(exc)
    marker = DIALECTS["duckdb"].error_marker
    if marker in text:
        detail = text.split(marker, 1)[1].strip().splitlines()[0]
        detail = detail.split(" SQLSTATE")[0].rstrip(" .'\"")
        return InputError(detail, None, None)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return InputError(f"the view could not run on this data: {first[:300]}", "view")


# --- DuckDB ------------------------------------------------------------------------------------
def _duckdb_sources(files: BulkFiles) -> list[tuple[str, bool]]:
    d = DIALECTS["duckdb"]
    out = []
    for paths, mixed in ((files.typed, False), (files.mixed, True)):
        if paths:
            listed = ", ".join(d.string(str(p)) for p in paths)
            out.append(
                (
                    f"(SELECT {d.parse_json('json')} AS res FROM read_ndjson_objects([{listed}]))",
                    mixed,
                )
            )
    return out


def duckdb_relation(
    view: dict[str, Any] | CompiledView,
    source: Path | dict[str, list[Path]],
    connection: duckdb.DuckDBPyConnection,
) -> duckdb.DuckDBPyRelation | None:
    """The view as a lazy DuckDB relation on `connection` (None when there are no files)."""
    compiled = _compiled(view)
    parts = _duckdb_sources(files_for(source, compiled.resource))
    if not parts:
        return None
    sql = " UNION ALL ".join(
        compiled.sql("duckdb", src, resource_filter=mixed) for src, mixed in parts
    )
    return connection.sql(sql)


def _duckdb_batches(
    view: CompiledView, source: Path | dict[str, list[Path]], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    import duckdb

    connection = duckdb.connect()
    try:
        relation = duckdb_relation(view, source, connection)
        if relation is None:
            return
        try:
            reader = relation.to_arrow_reader(BATCH_ROWS)
            for batch in reader:
                yield batch.cast(schema) if batch.schema != schema else batch
        except duckdb.Error as exc:
            raise _runtime_error(exc) from None
    finally:
        connection.close()


# --- Spark -------------------------------------------------------------------------------------
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _quiet_log4j() -> str:
    """A log4j2 configuration (errors only) for the driver JVM: no start-up chatter."""
    path = Path(tempfile.gettempdir()) / "painpath-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J:
        path.write_text(_LOG4J)
    return path.as_uri()


def _driver_java_options(master: str) -> str:
    """Quiet logging; on a local master (where the driver JVM does all the work, in short
    jobs) the quick JIT compiler only: the optimising one spends more CPU compiling than it
    saves on a screen or a view run (measured: docs/benchmarks.md, population screening)."""
    options = f"-Dlog4j2.configurationFile={_quiet_log4j()}"
    if master.startswith("local"):
        options += " -XX:TieredStopAtLevel=1"
    return options


def spark_session(master: str | None = None, app_name: str = "painpath") -> SparkSession:
    """A SparkSession on `master` (default local[*]); UI off, few shuffle partitions, quiet.

    An existing session is reused (Spark allows one per driver process).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - the spark extra is installed by make install
        raise InputError(
            "Spark is not installed", "--engine spark", "pip install 'painpath[spark]'"
        ) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master or "local[*]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", _driver_java_options(master or "local[*]"))
    )
    session = builder.getOrCreate()
    # A view that meets bad data fails its task on purpose (raise_error); painpath reports
    # that in one line, so Spark's own task-failure stack traces are switched off.
    session.sparkContext.setLogLevel("OFF")
    return session


def spark_source_view(spark: SparkSession, paths: tuple[Path, ...] | list[Path]) -> str:
    """A new temporary view of NDJSON files, one parsed resource (VARIANT `res`) a line."""
    name = f"painpath_ndjson_{next(_temp_names)}"
    text = spark.read.text([str(p) for p in paths])
    parsed = text.where("trim(value) <> ''").selectExpr(
        f"{DIALECTS['spark'].parse_json('value')} AS res"
    )
    parsed.createOrReplaceTempView(name)
    return name


def spark_dataframe(
    view: dict[str, Any] | CompiledView,
    source: Path | dict[str, list[Path]],
    spark: SparkSession,
) -> DataFrame | None:
    """The view as a lazy Spark DataFrame (None when there are no files).

    The files must be readable by every executor (a shared or distributed file system).
    """
    compiled = _compiled(view)
    files = files_for(source, compiled.resource)
    frames = []
    for paths, mixed in ((files.typed, False), (files.mixed, True)):
        if not paths:
            continue
        name = spark_source_view(spark, paths)
        frames.append(spark.sql(compiled.sql("spark", name, resource_filter=mixed)))
    if not frames:
        return None
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionAll(frame)
    return out


def _spark_batches(
    view: CompiledView,
    source: Path | dict[str, list[Path]],
    schema: pa.Schema,
    spark: SparkSession | None,
    master: str | None,
) -> Iterator[pa.RecordBatch]:
    from pyspark.errors import PySparkException

    session = spark or spark_session(master)
    try:
        frame = spark_dataframe(view, source, session)
        if frame is None:
            return
        table = frame.toArrow()
    except PySparkException as exc:
        raise _runtime_error(exc) from None
    except Exception as exc:  # py4j errors carry the JVM's message
        if type(exc).__module__.startswith(("py4j", "pyspark")):
            raise _runtime_error(exc) from None
        raise
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        yield batch.cast(schema) if batch.schema != schema else batch


# --- public ------------------------------------------------------------------------------------
def run_view(
    view: dict[str, Any] | CompiledView,
    source: Path | dict[str, list[Path]],
    engine: str = "duckdb",
    *,
    spark: SparkSession | None = None,
    master: str | None = None,
) -> pa.RecordBatchReader:
    """Run a ViewDefinition over a Bulk NDJSON directory (or type → files) on an engine.

    Returns a stream of Arrow record batches (`.read_all()` gives a table). On DuckDB the
    rows stream from the files with flat memory; on Spark (`spark` session, else one on
    `master`, default local[*]) the result is collected on the driver. Bad views and data
    that break the view (a non-collection column with two values, a `where` that is not
    boolean) raise InputError.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", "--engine", "duckdb or spark")
    compiled = _compiled(view)
    schema = arrow_schema(compiled)
    if engine == "duckdb":
        batches = _duckdb_batches(compiled, source, schema)
    else:
        batches = _spark_batches(compiled, source, schema, spark, master)
    # Run up to the first batch now, so that errors surface here rather than mid-iteration.
    first = next(batches, None)
    chained = batches if first is None else itertools.chain([first], batches)
    return pa.RecordBatchReader.from_batches(schema, chained)
