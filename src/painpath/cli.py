"""The `painpath` command.

Exit codes: 0 success, 1 unexpected failure, 2 bad input or usage (one line on stderr, nothing
on stdout). Tracebacks only with `--verbose`.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer

from painpath.cli_documents import register_document_commands
from painpath.cli_interop import register_interop_commands
from painpath.cli_population import register_population_commands
from painpath.cli_screen import register_screen_commands
from painpath.cli_service import register_service_commands
from painpath.db_cli import app as db_app
from painpath.errors import InputError, PainpathError

__all__ = ["MAX_INPUT_BYTES", "app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="painpath: explainable decision support for interventional pain medicine.",
)

app.add_typer(db_app, name="db")

_STATE = {"verbose": False}

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""The largest Bundle file `painpath assess` reads. A patient's lifetime Synthea record is
1-5 MB; a larger file is refused (exit 2) before it is parsed, because the JSON parser
(orjson) aborts the process instead of failing cleanly when memory runs out."""


def _fail(exc: PainpathError) -> NoReturn:
    if _STATE["verbose"]:
        raise exc
    typer.echo(f"painpath: {exc.message}", err=True)
    raise typer.Exit(exc.exit_code)


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", help="Show tracebacks.")] = False,
) -> None:
    _STATE["verbose"] = verbose


def _parse_date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date", "--as-of", "YYYY-MM-DD") from None


def _read_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(
                f"file too large ({path.stat().st_size} bytes)",
                str(path),
                f"a Bundle of at most {MAX_INPUT_BYTES} bytes",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror})", str(path)) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at byte {exc.pos})", str(path)) from None


@app.command()
def assess(
    bundle: Annotated[Path, typer.Argument(help="A patient's FHIR R4 Bundle (JSON file).")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Assess as of this date (YYYY-MM-DD); default today."),
    ] = None,
    payer: Annotated[str, typer.Option(help="cms (Medicare policies) or none.")] = "cms",
    fmt: Annotated[str, typer.Option("--format", help="json (default) or text.")] = "json",
) -> None:
    """Assess one patient and print the painpath.assessment/v1 document.

    Example: painpath assess patient.json --as-of 2026-06-01 --format text
    """
    from painpath._api import assess as run
    from painpath.cli_text import render_text

    try:
        if fmt not in ("json", "text"):
            raise InputError(f"unknown format {fmt!r}", "--format", "json or text")
        day = _parse_date(as_of)
        doc = run(_read_json(bundle), as_of=day, payer=payer)
    except PainpathError as exc:
        _fail(exc)
    if fmt == "text":
        sys.stdout.write(render_text(doc))
    else:
        sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")


@app.command()
def knowledge(
    what: Annotated[
        str | None,
        typer.Argument(
            help="procedures, conditions, policies, drugs or sources (default: a summary); "
            "or `show` followed by an id; or `export-fhir` followed by a folder."
        ),
    ] = None,
    entry: Annotated[str | None, typer.Argument(help="With `show`: the id to explain.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the knowledge base, or explain one entry with its sources.

    Examples: painpath knowledge procedures --json; painpath knowledge show facet-rfa-lumbar;
    painpath knowledge export-fhir fhir-knowledge/
    """
    from painpath.cli_knowledge import list_kind, show_entry

    try:
        if what == "show":
            if entry is None:
                raise InputError("`knowledge show` needs an id", "ID", "e.g. facet-rfa-lumbar")
            sys.stdout.write(show_entry(entry, as_json))
        elif what == "export-fhir":
            from painpath.cli_interop import export_knowledge_fhir

            if entry is None:
                raise InputError("`knowledge export-fhir` needs a folder", "DIR", "a folder")
            sys.stdout.write(export_knowledge_fhir(Path(entry)))
        elif entry is not None:
            raise InputError(f"unexpected argument {entry!r}", "knowledge", "one kind or `show ID`")
        else:
            sys.stdout.write(list_kind(what, as_json))
    except PainpathError as exc:
        _fail(exc)


register_service_commands(app)
register_document_commands(app)
register_interop_commands(app)
register_population_commands(app)
register_screen_commands(app)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except PainpathError as exc:  # pragma: no cover - only with --verbose
        raise exc
