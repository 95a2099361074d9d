"""`painpath export`, `painpath import-export` and `painpath knowledge export-fhir`.

painpath export --patient demo-radicular-ready > patient.json   one FHIR R4 Bundle
painpath export --ndjson exports/                                the whole store, NDJSON
painpath import-export exports/ --clinic main                    back into a store
painpath knowledge export-fhir fhir-knowledge/                   the knowledge as FHIR
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from painpath.errors import InputError, PainpathError

__all__ = ["export", "export_knowledge_fhir", "import_export_command", "register_interop_commands"]


def _audit(session: Any, action: str, resource: str, patient: str | None) -> None:
    from painpath.clinic import audit_event

    event = audit_event(
        None, action, resource, "allowed", patient_id=patient, detail="painpath CLI"
    )
    session.add(event)


def export(
    patient: Annotated[str | None, typer.Option("--patient", help="One patient: a Bundle.")] = None,
    ndjson: Annotated[
        Path | None, typer.Option("--ndjson", help="The whole store, as NDJSON files in DIR.")
    ] = None,
) -> None:
    """Export painpath data as FHIR R4: one patient's Bundle, or the store as Bulk NDJSON.

    Example: painpath export --ndjson exports/
    """
    from painpath.cli_service import _fail, _session
    from painpath.interop import export_ndjson, export_patient
    from painpath.knowledge import load_knowledge
    from painpath.store import Patient

    try:
        if (patient is None) == (ndjson is None):
            raise InputError("give --patient ID or --ndjson DIR", "export", "exactly one")
        kb = load_knowledge()
        with _session() as session:
            if patient is not None:
                if session.get(Patient, patient) is None:
                    raise InputError("no such patient", f"Patient/{patient}", "a stored patient")
                bundle = export_patient(session, patient, kb)
                _audit(session, "read", f"export.patient Patient/{patient}", patient)
                session.commit()
                sys.stdout.write(orjson.dumps(bundle).decode() + "\n")
                return
            assert ndjson is not None
            if ndjson.exists() and any(ndjson.iterdir()):
                raise InputError("the folder is not empty", str(ndjson), "a new or empty folder")
            counts = export_ndjson(session, ndjson, kb)
            _audit(session, "read", "export.ndjson", None)
            session.commit()
        for rtype, n in sorted(counts.items()):
            typer.echo(f"{rtype}.ndjson {n}", err=True)
    except PainpathError as exc:
        _fail(exc)


def import_export_command(
    path: Annotated[Path, typer.Argument(help="An export: a Bundle file or an NDJSON folder.")],
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic to import into.")] = "main",
) -> None:
    """Import a painpath export (record and documents) into this store, all or nothing.

    Example: painpath import-export exports/ --clinic main
    """
    from painpath.cli import _read_json
    from painpath.cli_service import _fail, _session
    from painpath.clinic import clinic_named, utcnow
    from painpath.interop import import_export, read_export_dir

    try:
        if path.is_dir():
            groups = list(read_export_dir(path).values())
        else:
            bundle = _read_json(path)
            entries = bundle.get("entry") if isinstance(bundle, dict) else None
            if not isinstance(entries, list):
                raise InputError("not a Bundle", str(path), "a painpath export Bundle")
            groups = [[e["resource"] for e in entries if isinstance(e, dict) and "resource" in e]]
        now = utcnow()
        with _session() as session:
            place = clinic_named(session, clinic, create=True)
            ids = [import_export(session, place.id, group, now=now) for group in groups]
            for pid in ids:
                _audit(session, "create", f"import.export Patient/{pid}", pid)
            session.commit()
        typer.echo(f"imported {len(ids)} patients into {clinic!r}", err=True)
    except PainpathError as exc:
        _fail(exc)


def export_knowledge_fhir(directory: Path) -> str:
    """Write the knowledge base as FHIR R4 resources (one JSON file each); a summary line."""
    from painpath.interop import knowledge_resources
    from painpath.knowledge import load_knowledge

    resources = knowledge_resources(load_knowledge())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for res in resources:
            target = directory / f"{res['resourceType']}-{res['id']}.json"
            target.write_bytes(orjson.dumps(res, option=orjson.OPT_INDENT_2) + b"\n")
    except OSError as exc:
        raise InputError(
            f"cannot write ({exc.strerror})", str(directory), "a writable folder"
        ) from None
    return f"{len(resources)} FHIR resources written to {directory}\n"


def register_interop_commands(app: typer.Typer) -> None:
    """Add `export` and `import-export` to the `painpath` command."""
    app.command("export")(export)
    app.command("import-export")(import_export_command)
