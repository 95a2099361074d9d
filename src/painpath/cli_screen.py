"""`painpath synth` and `painpath screen`: population screening of FHIR Bulk Data exports.

Exit codes: 0 success; 2 bad input (one line on stderr); 1 anything else. A progress bar
goes to stderr when it is a terminal; results go to stdout (and `--out`).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer

from painpath.errors import InputError, PainpathError

__all__ = ["register_screen_commands"]


def _fail(exc: PainpathError) -> NoReturn:
    from painpath.cli import _fail as fail

    fail(exc)


def _day(text: str | None) -> date:
    from painpath.cli import _parse_date

    return _parse_date(text)


class _Bar:
    """A Rich progress bar on stderr (only on a terminal), as a screening `Progress`."""

    def __init__(self, label: str, total: int | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = Console(stderr=True)
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        )
        self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> _Bar:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def total(self, patients: int) -> None:
        self._bar.update(self._task, total=patients)

    def advance(self, patients: int) -> None:
        self._bar.advance(self._task, patients)


def synth(
    folder: Annotated[Path, typer.Argument(help="Folder to write the NDJSON export into.")],
    patients: Annotated[int, typer.Option("--patients", help="How many patients.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same export).")] = 0,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Records end on this date; default today.")
    ] = None,
    part_patients: Annotated[
        int, typer.Option("--part-patients", help="Patients per file part (Type.NNN.ndjson).")
    ] = 50_000,
) -> None:
    """Write a synthetic FHIR Bulk Data export (NDJSON) of any size.

    Example: painpath synth --patients 200000 --seed 1 --as-of 2026-06-01 export/
    """
    from painpath.population import synthesize

    try:
        day = _day(as_of)
        with _Bar("writing patients", patients) as bar:
            stats = synthesize(
                folder,
                patients,
                seed=seed,
                as_of=day,
                part_patients=part_patients,
                progress=bar.advance,
            )
    except PainpathError as exc:
        _fail(exc)
    resources = sum(stats.resources.values())
    typer.echo(
        f"wrote {stats.patients} patients, {resources} resources, "
        f"{stats.bytes / 1e6:.1f} MB in {len(stats.files)} files to {folder}"
    )


_SHOWN = ("rank", "patient_id", "status", "top_option", "mme_per_day", "why")


def _print_summary(summary: dict[str, Any], top: list[dict[str, Any]], out: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    counts = Table(title=f"Screened {summary['screened']} patients", title_justify="left")
    counts.add_column("status")
    counts.add_column("patients", justify="right")
    for status, n in summary["by_status"].items():
        counts.add_row(status, str(n))
    console.print(counts)
    options = Table(title="Top option", title_justify="left")
    options.add_column("procedure")
    options.add_column("patients", justify="right")
    for option, n in list(summary["by_top_option"].items())[:10]:
        options.add_row(option, str(n))
    console.print(options)
    mme = summary["mme"]
    bands = ", ".join(f"{k}: {v}" for k, v in mme["bands"].items())
    console.print(f"On opioids: {mme['patients_on_opioids']} ({bands})")
    work = Table(title="Worklist (first rows)", title_justify="left")
    for column in _SHOWN:
        work.add_column(column)
    for row in top:
        work.add_row(*("" if row[c] is None else str(row[c]) for c in _SHOWN))
    console.print(work)
    if out is not None:
        console.print(f"Worklist written to {out}")


def screen(
    folder: Annotated[Path, typer.Argument(help="A FHIR Bulk Data export folder (NDJSON).")],
    engine: Annotated[str, typer.Option(help="duckdb (in-process) or spark.")] = "duckdb",
    master: Annotated[
        str | None, typer.Option(help="Spark master URL (local[*], spark://, yarn, k8s://).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Screen as of this date; default today.")
    ] = None,
    payer: Annotated[str, typer.Option(help="cms (Medicare policies) or none.")] = "cms",
    out: Annotated[
        Path | None, typer.Option(help="Write the ranked worklist: .parquet, .csv or .ndjson.")
    ] = None,
    top: Annotated[int, typer.Option(help="Worklist rows to print.")] = 10,
    workers: Annotated[
        int | None,
        typer.Option(help="DuckDB: processes running the engine (default: one per CPU core)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Screen a population for interventional pain care: a ranked worklist and a summary.

    Example: painpath screen export/ --as-of 2026-06-01 --out worklist.parquet
    """
    from painpath.knowledge import load_knowledge
    from painpath.population import FORMATS, Screening, Worklist
    from painpath.population import screen as run

    try:
        if out is not None and out.suffix.lower() not in FORMATS:
            raise InputError(f"unknown output format {out.suffix!r}", "--out", ", ".join(FORMATS))
        if engine != "spark" and master is not None:
            raise InputError("--master needs --engine spark", "--master", "--engine spark")
        day = _day(as_of)
        kb = load_knowledge()
        with Worklist() as worklist:
            with _Bar("screening patients") as bar:
                cores = workers if workers is not None else os.cpu_count() or 1
                if cores < 1:
                    raise InputError(f"--workers {cores} is too small", "--workers", "at least 1")
                settings = Screening(
                    day, engine, payer, master, knowledge=kb, progress=bar, workers=cores
                )
                run(folder, worklist, settings)
            if out is not None:
                worklist.write(out)
            summary = worklist.summary(kb)
            first = worklist.top(top)
    except PainpathError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        _print_summary(summary, first, out)


def register_screen_commands(app: typer.Typer) -> None:
    """Add `synth` and `screen` to the `painpath` command."""
    app.command()(synth)
    app.command()(screen)
