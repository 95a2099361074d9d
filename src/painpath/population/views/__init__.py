"""SQL on FHIR v2 ViewDefinitions compiled to SQL and run on DuckDB or Spark.

    compile_view(view)                     validate; InputError says where it is wrong
    run_view(view, bulk_dir, "duckdb")     Arrow record batches (stream; .read_all())
    run_view(view, bulk_dir, "spark", master="spark://host:7077")
    duckdb_relation / spark_dataframe      the same query, lazy, to compose further SQL
    run_conformance(tests_dir, engine)     the official test suite, in its report format

A ViewDefinition's FHIRPath is compiled to one SQL query per engine (list functions over
VARIANT values: no Python per resource); see `_compile.py` for the shape of the SQL.
"""

from __future__ import annotations

from painpath.population.views._compile import REPEAT_DEPTH, CompiledView, ViewColumn, compile_view
from painpath.population.views._conformance import CaseResult, load_suite, run_conformance
from painpath.population.views._output import write_table
from painpath.population.views._run import (
    ENGINES,
    arrow_schema,
    duckdb_relation,
    run_view,
    spark_dataframe,
    spark_session,
)
from painpath.population.views._source import bulk_files

__all__ = [
    "ENGINES",
    "REPEAT_DEPTH",
    "CaseResult",
    "CompiledView",
    "ViewColumn",
    "arrow_schema",
    "bulk_files",
    "compile_view",
    "duckdb_relation",
    "load_suite",
    "run_conformance",
    "run_view",
    "spark_dataframe",
    "spark_session",
    "write_table",
]
