"""`painpath document prior-auth|care-plan|procedure-note|outcomes`: the PDFs, and the outcome
measures (CSV, Parquet, JSON, FHIR), for any FHIR Bundle.

    painpath document prior-auth p.json --procedure facet-rfa-lumbar --as-of 2026-06-01 \
        --out pa.pdf
    painpath document care-plan patient.json --out plan.pdf

Exit codes: 0 success; 2 bad input (one line on stderr, no file written).
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from painpath.errors import InputError, PainpathError

__all__ = ["document_app", "register_document_commands"]

document_app = typer.Typer(
    no_args_is_help=True,
    help="Documents for a FHIR Bundle: prior-authorization packet, care plan, procedure note "
    "(PDF), and the outcome measures (CSV, Parquet, JSON, FHIR).",
)

_AS_OF = typer.Option("--as-of", help="Assess as of this date (YYYY-MM-DD); default today.")
_OUT = typer.Option("--out", help="The PDF file to write.")
_DATE = typer.Option("--date", help="The planned procedure date (YYYY-MM-DD).")


def _fail(exc: PainpathError) -> NoReturn:
    from painpath.cli import _fail as fail

    fail(exc)


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{flag} {text!r} is not a date", flag, "YYYY-MM-DD") from None


def _write(
    kind: str,
    bundle: Path,
    out: Path,
    procedure: str | None,
    as_of: str | None,
    planned: str | None,
) -> None:
    from painpath.cli import _read_json
    from painpath.engine import assess_record
    from painpath.fhir import read_bundle
    from painpath.knowledge import load_knowledge
    from painpath.reports import render_document

    try:
        day = _day(as_of, "--as-of") or date.today()
        when = _day(planned, "--date")
        if out.suffix.lower() != ".pdf":
            raise InputError(f"{out} is not a .pdf file name", "--out", "a path ending in .pdf")
        kb = load_knowledge()
        record = read_bundle(_read_json(bundle))
        assessment = assess_record(record, kb, day)
        _title, pdf = render_document(
            kind, record, assessment, kb, procedure=procedure, planned=when
        )
        _save(out, pdf)
    except PainpathError as exc:
        _fail(exc)
    typer.echo(f"painpath: wrote {out} ({len(pdf)} bytes)", err=True)


@document_app.command("prior-auth")
def prior_auth(
    bundle: Annotated[Path, typer.Argument(help="A patient's FHIR R4 Bundle (JSON file).")],
    procedure: Annotated[str, typer.Option("--procedure", help="e.g. facet-rfa-lumbar")],
    out: Annotated[Path, _OUT],
    as_of: Annotated[str | None, _AS_OF] = None,
) -> None:
    """The payer policy's criteria for a planned procedure: met / not met / missing, with the
    evidence and the citation.

    Example: painpath document prior-auth p.json --procedure facet-rfa-lumbar --out pa.pdf
    """
    _write("prior-auth", bundle, out, procedure, as_of, None)


@document_app.command("care-plan")
def care_plan(
    bundle: Annotated[Path, typer.Argument(help="A patient's FHIR R4 Bundle (JSON file).")],
    out: Annotated[Path, _OUT],
    procedure: Annotated[
        str | None, typer.Option("--procedure", help="Default: the first indicated option.")
    ] = None,
    as_of: Annotated[str | None, _AS_OF] = None,
    planned: Annotated[str | None, _DATE] = None,
) -> None:
    """The patient's care plan: next steps, aftercare and the dates to pause medicines.

    Example: painpath document care-plan p.json --date 2026-06-15 --out plan.pdf
    """
    _write("care-plan", bundle, out, procedure, as_of, planned)


@document_app.command("procedure-note")
def procedure_note(
    bundle: Annotated[Path, typer.Argument(help="A patient's FHIR R4 Bundle (JSON file).")],
    procedure: Annotated[str, typer.Option("--procedure", help="e.g. facet-mbb-lumbar")],
    out: Annotated[Path, _OUT],
    as_of: Annotated[str | None, _AS_OF] = None,
    planned: Annotated[str | None, _DATE] = None,
) -> None:
    """A procedure note skeleton: what the record knows, blanks for the proceduralist.

    Example: painpath document procedure-note p.json --procedure facet-mbb-lumbar --out n.pdf
    """
    _write("procedure-note", bundle, out, procedure, as_of, planned)


@document_app.command("outcomes")
def outcomes(
    bundle: Annotated[Path, typer.Argument(help="A patient's FHIR R4 Bundle (JSON file).")],
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet, json or fhir.")] = "csv",
    index: Annotated[
        str | None, typer.Option("--index", help="The index Procedure id (default: the first).")
    ] = None,
    as_of: Annotated[str | None, _AS_OF] = None,
) -> None:
    """Outcome measures of the episode: change from baseline at each follow-up window,
    responders, relief duration, repeats, complications; missing follow-ups stay missing.

    Example: painpath document outcomes p.json --as-of 2026-06-01 --format csv --out o.csv
    """
    import orjson

    from painpath.cli import _read_json
    from painpath.fhir import read_bundle
    from painpath.knowledge import load_knowledge, load_outcomes
    from painpath.reports import episode_outcomes, measures_csv, measures_fhir, measures_parquet

    try:
        if fmt not in ("csv", "parquet", "json", "fhir"):
            raise InputError(f"unknown format {fmt!r}", "--format", "csv, parquet, json or fhir")
        day = _day(as_of, "--as-of") or date.today()
        kb, table = load_knowledge(), load_outcomes()
        record = read_bundle(_read_json(bundle))
        body = episode_outcomes(record, kb, table, day, index=index).to_json()
        if fmt == "csv":
            data = measures_csv([body], table)
        elif fmt == "parquet":
            data = measures_parquet([body], table)
        elif fmt == "fhir":
            entries = [{"resource": o} for o in measures_fhir(body, kb.instruments.painpath_system)]
            data = orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})
        else:
            data = orjson.dumps(body, option=orjson.OPT_INDENT_2)
        _save(out, data)
    except PainpathError as exc:
        _fail(exc)
    typer.echo(f"painpath: wrote {out} ({len(data)} bytes)", err=True)


def _save(out: Path, data: bytes) -> None:
    """Write `out` whole or not at all (a temporary file renamed over it)."""
    target = out.resolve()
    if not target.parent.is_dir():
        raise InputError(f"no directory {target.parent}", "--out", "an existing directory")
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)


def register_document_commands(app: typer.Typer) -> None:
    """Add `painpath document ...` to the main command."""
    app.add_typer(document_app, name="document")
