"""`painpath views ...`: SQL on FHIR v2 ViewDefinitions over FHIR Bulk Data (NDJSON).

    painpath views run VIEW.json BULK_DIR [--engine duckdb|spark] [--master URL] --out FILE
    painpath views conformance TESTS_DIR [--engine duckdb|spark] --report FILE.json

Exit codes: 0 success (conformance: every shareable test passed), 1 a shareable
conformance test failed, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import orjson
import typer

from painpath.errors import InputError, PainpathError

__all__ = ["register_population_commands", "views_app"]

views_app = typer.Typer(
    no_args_is_help=True,
    help="SQL on FHIR v2 ViewDefinitions over FHIR Bulk Data (NDJSON) on DuckDB or Spark.",
)

EngineOption = Annotated[
    str, typer.Option("--engine", help="duckdb (embedded, default) or spark (PySpark).")
]
MasterOption = Annotated[
    str | None,
    typer.Option("--master", help="Spark master URL (default local[*]); with --engine spark."),
]


def _fail(exc: PainpathError) -> NoReturn:
    from painpath.cli import _fail as fail

    fail(exc)


def _check_engine(engine: str, master: str | None) -> None:
    from painpath.population.views import ENGINES

    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", "--engine", "duckdb or spark")
    if master is not None and engine != "spark":
        raise InputError("--master needs --engine spark", "--master", "--engine spark")


@views_app.command("run")
def run(
    view_file: Annotated[Path, typer.Argument(help="A ViewDefinition (JSON file).")],
    bulk_dir: Annotated[Path, typer.Argument(help="A FHIR Bulk Data export (NDJSON files).")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet or .ndjson.")],
    engine: EngineOption = "duckdb",
    master: MasterOption = None,
) -> None:
    """Run one ViewDefinition over a Bulk export and write its rows.

    Example: painpath views run patients.view.json ./export --out patients.parquet
    """
    from painpath.cli import _read_json
    from painpath.population.views import compile_view, run_view, write_table
    from painpath.population.views._output import OUTPUT_SUFFIXES

    try:
        _check_engine(engine, master)
        if out.suffix.lower() not in OUTPUT_SUFFIXES:
            raise InputError(
                f"cannot write {out.name}", "--out", "a .csv, .parquet or .ndjson file"
            )
        if not bulk_dir.is_dir():
            raise InputError(f"{bulk_dir} is not a directory", "BULK_DIR", "a Bulk Data export")
        view = compile_view(_read_json(view_file))
        rows = write_table(run_view(view, bulk_dir, engine, master=master), out)
    except PainpathError as exc:
        _fail(exc)
    typer.echo(f"painpath: {rows} rows of {view.resource} written to {out}", err=True)


@views_app.command("conformance")
def conformance(
    tests_dir: Annotated[Path, typer.Argument(help="The SQL on FHIR v2 test suite folder.")],
    report: Annotated[Path, typer.Option("--report", help="Write test_report.json here.")],
    engine: EngineOption = "duckdb",
    master: MasterOption = None,
) -> None:
    """Run the official SQL on FHIR v2 test suite and write its report.

    Prints pass counts by tag; exits 1 when a shareable test fails.
    Example: painpath views conformance ../sql-on-fhir-v2 --report test_report.json
    """
    from painpath.population.views import run_conformance
    from painpath.population.views._conformance import report_json, summarize

    try:
        _check_engine(engine, master)
        results = run_conformance(tests_dir, engine, master=master)
        report.write_bytes(orjson.dumps(report_json(results), option=orjson.OPT_INDENT_2))
    except PainpathError as exc:
        _fail(exc)
    lines, ok = summarize(results, engine)
    sys.stdout.write(lines)
    if not ok:
        raise typer.Exit(1)


def register_population_commands(app: typer.Typer) -> None:
    """Add the population commands to the `painpath` app."""
    app.add_typer(views_app, name="views")
